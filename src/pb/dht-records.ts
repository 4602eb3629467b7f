import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface KeywordEntry {
  cid: Uint8Array<ArrayBuffer>
  filename: string
  directory: string
  size: number
  title: string
  keywords: string[]
}

export namespace KeywordEntry {
  let _codec: Codec<KeywordEntry>

  export const codec = (): Codec<KeywordEntry> => {
    if (_codec == null) {
      _codec = message<KeywordEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if ((obj.filename != null && obj.filename !== '')) {
          w.uint32(18)
          w.string(obj.filename)
        }

        if ((obj.directory != null && obj.directory !== '')) {
          w.uint32(26)
          w.string(obj.directory)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.size)
        }

        if ((obj.title != null && obj.title !== '')) {
          w.uint32(42)
          w.string(obj.title)
        }

        if (obj.keywords != null && obj.keywords.length > 0) {
          for (const value of obj.keywords) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          filename: '',
          directory: '',
          size: 0,
          title: '',
          keywords: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.bytes()
              break
            }
            case 2: {
              obj.filename = reader.string()
              break
            }
            case 3: {
              obj.directory = reader.string()
              break
            }
            case 4: {
              obj.size = reader.uint64Number()
              break
            }
            case 5: {
              obj.title = reader.string()
              break
            }
            case 6: {
              if (opts.limits?.keywords != null && obj.keywords.length === opts.limits.keywords) {
                throw new MaxLengthError('Decode error - repeated field "keywords" had too many elements')
              }

              if (obj.keywords.length === 32) {
                throw new MaxLengthError('Decode error - repeated field "keywords" had too many elements')
              }

              obj.keywords.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          keywords: 32
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.filename`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.directory`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.title`,
                value: reader.string()
              }
              break
            }
            case 6: {
              if (opts.limits?.keywords != null && obj.keywords === opts.limits.keywords) {
                throw new MaxLengthError('Streaming decode error - repeated field "keywords" had too many elements')
              }

              if (obj.keywords === 32) {
                throw new MaxLengthError('Streaming decode error - repeated field "keywords" had too many elements')
              }

              yield {
                field: `${prefix}.keywords[]`,
                index: obj.keywords,
                value: reader.string()
              }

              obj.keywords++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface KeywordEntryCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeywordEntryFilenameFieldEvent {
    field: '$.filename'
    value: string
  }

  export interface KeywordEntryDirectoryFieldEvent {
    field: '$.directory'
    value: string
  }

  export interface KeywordEntrySizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface KeywordEntryTitleFieldEvent {
    field: '$.title'
    value: string
  }

  export interface KeywordEntryKeywordsFieldEvent {
    field: '$.keywords[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<KeywordEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeywordEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeywordEntry>): KeywordEntry {
    return decodeMessage(buf, KeywordEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeywordEntry>): Generator<KeywordEntryCidFieldEvent | KeywordEntryFilenameFieldEvent | KeywordEntryDirectoryFieldEvent | KeywordEntrySizeFieldEvent | KeywordEntryTitleFieldEvent | KeywordEntryKeywordsFieldEvent> {
    return streamMessage(buf, KeywordEntry.codec(), opts)
  }
}

export interface KeywordRecord {
  version: number
  word: string
  issuedAt: number
  expiresAt: number
  userSerialId: number
  userid: string
  entries: KeywordEntry[]
}

export namespace KeywordRecord {
  let _codec: Codec<KeywordRecord>

  export const codec = (): Codec<KeywordRecord> => {
    if (_codec == null) {
      _codec = message<KeywordRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.word != null && obj.word !== '')) {
          w.uint32(18)
          w.string(obj.word)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.expiresAt)
        }

        if ((obj.userSerialId != null && obj.userSerialId !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.userSerialId)
        }

        if ((obj.userid != null && obj.userid !== '')) {
          w.uint32(50)
          w.string(obj.userid)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(58)
            KeywordEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          word: '',
          issuedAt: 0,
          expiresAt: 0,
          userSerialId: 0,
          userid: '',
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.word = reader.string()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.userSerialId = reader.uint64Number()
              break
            }
            case 6: {
              obj.userid = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              if (obj.entries.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(KeywordEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.word`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.userSerialId`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.userid`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              if (obj.entries === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of KeywordEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface KeywordRecordVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface KeywordRecordWordFieldEvent {
    field: '$.word'
    value: string
  }

  export interface KeywordRecordIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface KeywordRecordExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export interface KeywordRecordUserSerialIdFieldEvent {
    field: '$.userSerialId'
    value: number
  }

  export interface KeywordRecordUseridFieldEvent {
    field: '$.userid'
    value: string
  }

  export interface KeywordRecordEntriesCidFieldEvent {
    field: '$.entries[].cid'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface KeywordRecordEntriesFilenameFieldEvent {
    field: '$.entries[].filename'
    value: string
    index: number
  }

  export interface KeywordRecordEntriesDirectoryFieldEvent {
    field: '$.entries[].directory'
    value: string
    index: number
  }

  export interface KeywordRecordEntriesSizeFieldEvent {
    field: '$.entries[].size'
    value: number
    index: number
  }

  export interface KeywordRecordEntriesTitleFieldEvent {
    field: '$.entries[].title'
    value: string
    index: number
  }

  export interface KeywordRecordEntriesKeywordsFieldEvent {
    field: '$.entries[].keywords[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<KeywordRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeywordRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeywordRecord>): KeywordRecord {
    return decodeMessage(buf, KeywordRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeywordRecord>): Generator<KeywordRecordVersionFieldEvent | KeywordRecordWordFieldEvent | KeywordRecordIssuedAtFieldEvent | KeywordRecordExpiresAtFieldEvent | KeywordRecordUserSerialIdFieldEvent | KeywordRecordUseridFieldEvent | KeywordRecordEntriesCidFieldEvent | KeywordRecordEntriesFilenameFieldEvent | KeywordRecordEntriesDirectoryFieldEvent | KeywordRecordEntriesSizeFieldEvent | KeywordRecordEntriesTitleFieldEvent | KeywordRecordEntriesKeywordsFieldEvent> {
    return streamMessage(buf, KeywordRecord.codec(), opts)
  }
}

export interface SignedKeywordRecord {
  record: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedKeywordRecord {
  let _codec: Codec<SignedKeywordRecord>

  export const codec = (): Codec<SignedKeywordRecord> => {
    if (_codec == null) {
      _codec = message<SignedKeywordRecord>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.record != null && obj.record.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.record)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          record: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.record = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.record`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedKeywordRecordRecordFieldEvent {
    field: '$.record'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedKeywordRecordSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedKeywordRecord>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedKeywordRecord.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedKeywordRecord>): SignedKeywordRecord {
    return decodeMessage(buf, SignedKeywordRecord.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedKeywordRecord>): Generator<SignedKeywordRecordRecordFieldEvent | SignedKeywordRecordSignatureFieldEvent> {
    return streamMessage(buf, SignedKeywordRecord.codec(), opts)
  }
}
