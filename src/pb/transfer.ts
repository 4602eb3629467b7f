import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TransferRequest {
  version: number
  cid: string
  kind: TransferRequest.Kind
  pieces: number[]
}

export namespace TransferRequest {
  export enum Kind {
    MANIFEST = 'MANIFEST',
    PIECES = 'PIECES'
  }

  enum __KindValues {
    MANIFEST = 0,
    PIECES = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<TransferRequest>

  export const codec = (): Codec<TransferRequest> => {
    if (_codec == null) {
      _codec = message<TransferRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(18)
          w.string(obj.cid)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(24)
          TransferRequest.Kind.codec().encode(obj.kind, w)
        }

        if (obj.pieces != null && obj.pieces.length > 0) {
          for (const value of obj.pieces) {
            w.uint32(32)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          cid: '',
          kind: Kind.MANIFEST,
          pieces: []
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
              obj.cid = reader.string()
              break
            }
            case 3: {
              obj.kind = TransferRequest.Kind.codec().decode(reader)
              break
            }
            case 4: {
              if (opts.limits?.pieces != null && obj.pieces.length === opts.limits.pieces) {
                throw new MaxLengthError('Decode error - repeated field "pieces" had too many elements')
              }

              if (obj.pieces.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "pieces" had too many elements')
              }

              obj.pieces.push(reader.uint32())
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
          pieces: 64
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
                field: `${prefix}.cid`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: TransferRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 4: {
              if (opts.limits?.pieces != null && obj.pieces === opts.limits.pieces) {
                throw new MaxLengthError('Streaming decode error - repeated field "pieces" had too many elements')
              }

              if (obj.pieces === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "pieces" had too many elements')
              }

              yield {
                field: `${prefix}.pieces[]`,
                index: obj.pieces,
                value: reader.uint32()
              }

              obj.pieces++

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

  export interface TransferRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TransferRequestCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export interface TransferRequestKindFieldEvent {
    field: '$.kind'
    value: TransferRequest.Kind
  }

  export interface TransferRequestPiecesFieldEvent {
    field: '$.pieces[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<TransferRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferRequest>): TransferRequest {
    return decodeMessage(buf, TransferRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferRequest>): Generator<TransferRequestVersionFieldEvent | TransferRequestCidFieldEvent | TransferRequestKindFieldEvent | TransferRequestPiecesFieldEvent> {
    return streamMessage(buf, TransferRequest.codec(), opts)
  }
}

export interface TransferResponse {
  error: TransferResponse.ErrorCode
  message: string
  manifest: Uint8Array<ArrayBuffer>
  index: number
  data: Uint8Array<ArrayBuffer>
}

export namespace TransferResponse {
  export enum ErrorCode {
    NONE = 'NONE',
    NOT_FOUND = 'NOT_FOUND',
    CHANGED = 'CHANGED',
    BAD_REQUEST = 'BAD_REQUEST',
    BUSY = 'BUSY',
    UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
    INTERNAL = 'INTERNAL'
  }

  enum __ErrorCodeValues {
    NONE = 0,
    NOT_FOUND = 1,
    CHANGED = 2,
    BAD_REQUEST = 3,
    BUSY = 4,
    UNSUPPORTED_VERSION = 5,
    INTERNAL = 6
  }

  export namespace ErrorCode {
    export const codec = (): Codec<ErrorCode> => {
      return enumeration<ErrorCode>(__ErrorCodeValues)
    }
  }

  let _codec: Codec<TransferResponse>

  export const codec = (): Codec<TransferResponse> => {
    if (_codec == null) {
      _codec = message<TransferResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.error != null && __ErrorCodeValues[obj.error] !== 0) {
          w.uint32(8)
          TransferResponse.ErrorCode.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.manifest != null && obj.manifest.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.manifest)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(32)
          w.uint32(obj.index)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          error: ErrorCode.NONE,
          message: '',
          manifest: uint8ArrayAlloc(0),
          index: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.error = TransferResponse.ErrorCode.codec().decode(reader)
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.manifest = reader.bytes()
              break
            }
            case 4: {
              obj.index = reader.uint32()
              break
            }
            case 5: {
              obj.data = reader.bytes()
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
                field: `${prefix}.error`,
                value: TransferResponse.ErrorCode.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.manifest`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.data`,
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

  export interface TransferResponseErrorFieldEvent {
    field: '$.error'
    value: TransferResponse.ErrorCode
  }

  export interface TransferResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface TransferResponseManifestFieldEvent {
    field: '$.manifest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransferResponseIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface TransferResponseDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TransferResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferResponse>): TransferResponse {
    return decodeMessage(buf, TransferResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferResponse>): Generator<TransferResponseErrorFieldEvent | TransferResponseMessageFieldEvent | TransferResponseManifestFieldEvent | TransferResponseIndexFieldEvent | TransferResponseDataFieldEvent> {
    return streamMessage(buf, TransferResponse.codec(), opts)
  }
}
