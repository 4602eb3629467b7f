import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface FileEntry {
  cid: string
  filename: string
  directory: string
  size: number
  title: string
  keywords: string[]
  userSerialId: number
  userid: string
}

export namespace FileEntry {
  let _codec: Codec<FileEntry>

  export const codec = (): Codec<FileEntry> => {
    if (_codec == null) {
      _codec = message<FileEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(10)
          w.string(obj.cid)
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

        if ((obj.userSerialId != null && obj.userSerialId !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.userSerialId)
        }

        if ((obj.userid != null && obj.userid !== '')) {
          w.uint32(66)
          w.string(obj.userid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: '',
          filename: '',
          directory: '',
          size: 0,
          title: '',
          keywords: [],
          userSerialId: 0,
          userid: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.string()
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
            case 7: {
              obj.userSerialId = reader.uint64Number()
              break
            }
            case 8: {
              obj.userid = reader.string()
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
                value: reader.string()
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
            case 7: {
              yield {
                field: `${prefix}.userSerialId`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.userid`,
                value: reader.string()
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

  export interface FileEntryCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface FileEntryFilenameFieldEvent {
    field: '$.filename'
    value: string
  }

  export interface FileEntryDirectoryFieldEvent {
    field: '$.directory'
    value: string
  }

  export interface FileEntrySizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface FileEntryTitleFieldEvent {
    field: '$.title'
    value: string
  }

  export interface FileEntryKeywordsFieldEvent {
    field: '$.keywords[]'
    index: number
    value: string
  }

  export interface FileEntryUserSerialIdFieldEvent {
    field: '$.userSerialId'
    value: number
  }

  export interface FileEntryUseridFieldEvent {
    field: '$.userid'
    value: string
  }

  export function encode (obj: Partial<FileEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileEntry>): FileEntry {
    return decodeMessage(buf, FileEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileEntry>): Generator<FileEntryCidFieldEvent | FileEntryFilenameFieldEvent | FileEntryDirectoryFieldEvent | FileEntrySizeFieldEvent | FileEntryTitleFieldEvent | FileEntryKeywordsFieldEvent | FileEntryUserSerialIdFieldEvent | FileEntryUseridFieldEvent> {
    return streamMessage(buf, FileEntry.codec(), opts)
  }
}

export interface IndexUpdate {
  version: number
  reset: boolean
  added: FileEntry[]
  removed: string[]
}

export namespace IndexUpdate {
  let _codec: Codec<IndexUpdate>

  export const codec = (): Codec<IndexUpdate> => {
    if (_codec == null) {
      _codec = message<IndexUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.reset != null && obj.reset !== false)) {
          w.uint32(16)
          w.bool(obj.reset)
        }

        if (obj.added != null && obj.added.length > 0) {
          for (const value of obj.added) {
            w.uint32(26)
            FileEntry.codec().encode(value, w)
          }
        }

        if (obj.removed != null && obj.removed.length > 0) {
          for (const value of obj.removed) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          reset: false,
          added: [],
          removed: []
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
              obj.reset = reader.bool()
              break
            }
            case 3: {
              if (opts.limits?.added != null && obj.added.length === opts.limits.added) {
                throw new MaxLengthError('Decode error - repeated field "added" had too many elements')
              }

              if (obj.added.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "added" had too many elements')
              }

              obj.added.push(FileEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.added$
              }))
              break
            }
            case 4: {
              if (opts.limits?.removed != null && obj.removed.length === opts.limits.removed) {
                throw new MaxLengthError('Decode error - repeated field "removed" had too many elements')
              }

              if (obj.removed.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "removed" had too many elements')
              }

              obj.removed.push(reader.string())
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
          added: 1024,
          removed: 1024
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
                field: `${prefix}.reset`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              if (opts.limits?.added != null && obj.added === opts.limits.added) {
                throw new MaxLengthError('Streaming decode error - repeated field "added" had too many elements')
              }

              if (obj.added === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "added" had too many elements')
              }

              for (const evt of FileEntry.codec().stream(reader, reader.uint32(), `${prefix}.added[]`, {
                limits: opts.limits?.added$
              })) {
                yield {
                  ...evt,
                  index: obj.added
                }
              }

              obj.added++

              break
            }
            case 4: {
              if (opts.limits?.removed != null && obj.removed === opts.limits.removed) {
                throw new MaxLengthError('Streaming decode error - repeated field "removed" had too many elements')
              }

              if (obj.removed === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "removed" had too many elements')
              }

              yield {
                field: `${prefix}.removed[]`,
                index: obj.removed,
                value: reader.string()
              }

              obj.removed++

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

  export interface IndexUpdateVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface IndexUpdateResetFieldEvent {
    field: '$.reset'
    value: boolean
  }

  export interface IndexUpdateAddedCidFieldEvent {
    field: '$.added[].cid'
    value: string
    index: number
  }

  export interface IndexUpdateAddedFilenameFieldEvent {
    field: '$.added[].filename'
    value: string
    index: number
  }

  export interface IndexUpdateAddedDirectoryFieldEvent {
    field: '$.added[].directory'
    value: string
    index: number
  }

  export interface IndexUpdateAddedSizeFieldEvent {
    field: '$.added[].size'
    value: number
    index: number
  }

  export interface IndexUpdateAddedTitleFieldEvent {
    field: '$.added[].title'
    value: string
    index: number
  }

  export interface IndexUpdateAddedKeywordsFieldEvent {
    field: '$.added[].keywords[]'
    index: number
    value: string
  }

  export interface IndexUpdateAddedUserSerialIdFieldEvent {
    field: '$.added[].userSerialId'
    value: number
    index: number
  }

  export interface IndexUpdateAddedUseridFieldEvent {
    field: '$.added[].userid'
    value: string
    index: number
  }

  export interface IndexUpdateRemovedFieldEvent {
    field: '$.removed[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<IndexUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IndexUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexUpdate>): IndexUpdate {
    return decodeMessage(buf, IndexUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexUpdate>): Generator<IndexUpdateVersionFieldEvent | IndexUpdateResetFieldEvent | IndexUpdateAddedCidFieldEvent | IndexUpdateAddedFilenameFieldEvent | IndexUpdateAddedDirectoryFieldEvent | IndexUpdateAddedSizeFieldEvent | IndexUpdateAddedTitleFieldEvent | IndexUpdateAddedKeywordsFieldEvent | IndexUpdateAddedUserSerialIdFieldEvent | IndexUpdateAddedUseridFieldEvent | IndexUpdateRemovedFieldEvent> {
    return streamMessage(buf, IndexUpdate.codec(), opts)
  }
}

export enum IndexError {
  NONE = 'NONE',
  UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
  MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
  MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
  NOT_YOUR_SERVER = 'NOT_YOUR_SERVER',
  TOO_MANY_ENTRIES = 'TOO_MANY_ENTRIES',
  RATE_LIMITED = 'RATE_LIMITED',
  SNAPSHOT_NEEDED = 'SNAPSHOT_NEEDED'
}

enum __IndexErrorValues {
  NONE = 0,
  UNSUPPORTED_VERSION = 1,
  MALFORMED_MESSAGE = 2,
  MESSAGE_TOO_LARGE = 3,
  NOT_YOUR_SERVER = 4,
  TOO_MANY_ENTRIES = 5,
  RATE_LIMITED = 6,
  SNAPSHOT_NEEDED = 7
}

export namespace IndexError {
  export const codec = (): Codec<IndexError> => {
    return enumeration<IndexError>(__IndexErrorValues)
  }
}

export interface IndexAck {
  version: number
  error: IndexError
  message: string
  held: number
}

export namespace IndexAck {
  let _codec: Codec<IndexAck>

  export const codec = (): Codec<IndexAck> => {
    if (_codec == null) {
      _codec = message<IndexAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __IndexErrorValues[obj.error] !== 0) {
          w.uint32(16)
          IndexError.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.held != null && obj.held !== 0)) {
          w.uint32(32)
          w.uint32(obj.held)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: IndexError.NONE,
          message: '',
          held: 0
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
              obj.error = IndexError.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.held = reader.uint32()
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: IndexError.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.held`,
                value: reader.uint32()
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

  export interface IndexAckVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface IndexAckErrorFieldEvent {
    field: '$.error'
    value: IndexError
  }

  export interface IndexAckMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface IndexAckHeldFieldEvent {
    field: '$.held'
    value: number
  }

  export function encode (obj: Partial<IndexAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IndexAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexAck>): IndexAck {
    return decodeMessage(buf, IndexAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IndexAck>): Generator<IndexAckVersionFieldEvent | IndexAckErrorFieldEvent | IndexAckMessageFieldEvent | IndexAckHeldFieldEvent> {
    return streamMessage(buf, IndexAck.codec(), opts)
  }
}
