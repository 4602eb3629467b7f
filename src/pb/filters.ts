import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface KeywordFilter {
  version: number
  seq: number
  issuedAt: number
  hashes: number
  bits: Uint8Array<ArrayBuffer>
  elements: number
}

export namespace KeywordFilter {
  let _codec: Codec<KeywordFilter>

  export const codec = (): Codec<KeywordFilter> => {
    if (_codec == null) {
      _codec = message<KeywordFilter>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.seq)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.issuedAt)
        }

        if ((obj.hashes != null && obj.hashes !== 0)) {
          w.uint32(32)
          w.uint32(obj.hashes)
        }

        if ((obj.bits != null && obj.bits.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.bits)
        }

        if ((obj.elements != null && obj.elements !== 0)) {
          w.uint32(48)
          w.uint32(obj.elements)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          seq: 0,
          issuedAt: 0,
          hashes: 0,
          bits: uint8ArrayAlloc(0),
          elements: 0
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
              obj.seq = reader.uint64Number()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.hashes = reader.uint32()
              break
            }
            case 5: {
              obj.bits = reader.bytes()
              break
            }
            case 6: {
              obj.elements = reader.uint32()
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
                field: `${prefix}.seq`,
                value: reader.uint64Number()
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
                field: `${prefix}.hashes`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.bits`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.elements`,
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

  export interface KeywordFilterVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface KeywordFilterSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface KeywordFilterIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface KeywordFilterHashesFieldEvent {
    field: '$.hashes'
    value: number
  }

  export interface KeywordFilterBitsFieldEvent {
    field: '$.bits'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeywordFilterElementsFieldEvent {
    field: '$.elements'
    value: number
  }

  export function encode (obj: Partial<KeywordFilter>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeywordFilter.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeywordFilter>): KeywordFilter {
    return decodeMessage(buf, KeywordFilter.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeywordFilter>): Generator<KeywordFilterVersionFieldEvent | KeywordFilterSeqFieldEvent | KeywordFilterIssuedAtFieldEvent | KeywordFilterHashesFieldEvent | KeywordFilterBitsFieldEvent | KeywordFilterElementsFieldEvent> {
    return streamMessage(buf, KeywordFilter.codec(), opts)
  }
}
