import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ProviderClaim {
  version: number
  cid: Uint8Array<ArrayBuffer>
  provider: Uint8Array<ArrayBuffer>
  addrs: Uint8Array<ArrayBuffer>[]
  issuedAt: number
}

export namespace ProviderClaim {
  let _codec: Codec<ProviderClaim>

  export const codec = (): Codec<ProviderClaim> => {
    if (_codec == null) {
      _codec = message<ProviderClaim>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.cid)
        }

        if ((obj.provider != null && obj.provider.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.provider)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.issuedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          cid: uint8ArrayAlloc(0),
          provider: uint8ArrayAlloc(0),
          addrs: [],
          issuedAt: 0
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
              obj.cid = reader.bytes()
              break
            }
            case 3: {
              obj.provider = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            case 5: {
              obj.issuedAt = reader.uint64Number()
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
          addrs: 16
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
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.provider`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.bytes()
              }

              obj.addrs++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
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

  export interface ProviderClaimVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ProviderClaimCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProviderClaimProviderFieldEvent {
    field: '$.provider'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProviderClaimAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProviderClaimIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export function encode (obj: Partial<ProviderClaim>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProviderClaim.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProviderClaim>): ProviderClaim {
    return decodeMessage(buf, ProviderClaim.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProviderClaim>): Generator<ProviderClaimVersionFieldEvent | ProviderClaimCidFieldEvent | ProviderClaimProviderFieldEvent | ProviderClaimAddrsFieldEvent | ProviderClaimIssuedAtFieldEvent> {
    return streamMessage(buf, ProviderClaim.codec(), opts)
  }
}

export interface SignedProviderClaim {
  claim: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedProviderClaim {
  let _codec: Codec<SignedProviderClaim>

  export const codec = (): Codec<SignedProviderClaim> => {
    if (_codec == null) {
      _codec = message<SignedProviderClaim>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.claim != null && obj.claim.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.claim)
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
          claim: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.claim = reader.bytes()
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
                field: `${prefix}.claim`,
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

  export interface SignedProviderClaimClaimFieldEvent {
    field: '$.claim'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedProviderClaimSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedProviderClaim>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedProviderClaim.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedProviderClaim>): SignedProviderClaim {
    return decodeMessage(buf, SignedProviderClaim.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedProviderClaim>): Generator<SignedProviderClaimClaimFieldEvent | SignedProviderClaimSignatureFieldEvent> {
    return streamMessage(buf, SignedProviderClaim.codec(), opts)
  }
}

export interface DelegateRequest {
  version: number
  key: Uint8Array<ArrayBuffer>
  value: Uint8Array<ArrayBuffer>
  claim?: SignedProviderClaim
}

export namespace DelegateRequest {
  let _codec: Codec<DelegateRequest>

  export const codec = (): Codec<DelegateRequest> => {
    if (_codec == null) {
      _codec = message<DelegateRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.key)
        }

        if ((obj.value != null && obj.value.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.value)
        }

        if (obj.claim != null) {
          w.uint32(34)
          SignedProviderClaim.codec().encode(obj.claim, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          key: uint8ArrayAlloc(0),
          value: uint8ArrayAlloc(0)
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
              obj.key = reader.bytes()
              break
            }
            case 3: {
              obj.value = reader.bytes()
              break
            }
            case 4: {
              obj.claim = SignedProviderClaim.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.claim
              })
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
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.value`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield * SignedProviderClaim.codec().stream(reader, reader.uint32(), `${prefix}.claim`, {
                limits: opts.limits?.claim
              })

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

  export interface DelegateRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DelegateRequestKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegateRequestValueFieldEvent {
    field: '$.value'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegateRequestClaimClaimFieldEvent {
    field: '$.claim.claim'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DelegateRequestClaimSignatureFieldEvent {
    field: '$.claim.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DelegateRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DelegateRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateRequest>): DelegateRequest {
    return decodeMessage(buf, DelegateRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateRequest>): Generator<DelegateRequestVersionFieldEvent | DelegateRequestKeyFieldEvent | DelegateRequestValueFieldEvent | DelegateRequestClaimClaimFieldEvent | DelegateRequestClaimSignatureFieldEvent> {
    return streamMessage(buf, DelegateRequest.codec(), opts)
  }
}

export enum DelegateError {
  NONE = 'NONE',
  UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
  MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
  MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
  NOT_YOUR_SERVER = 'NOT_YOUR_SERVER',
  INVALID_RECORD = 'INVALID_RECORD',
  RATE_LIMITED = 'RATE_LIMITED',
  BUSY = 'BUSY',
  NOT_STORED = 'NOT_STORED'
}

enum __DelegateErrorValues {
  NONE = 0,
  UNSUPPORTED_VERSION = 1,
  MALFORMED_MESSAGE = 2,
  MESSAGE_TOO_LARGE = 3,
  NOT_YOUR_SERVER = 4,
  INVALID_RECORD = 5,
  RATE_LIMITED = 6,
  BUSY = 7,
  NOT_STORED = 8
}

export namespace DelegateError {
  export const codec = (): Codec<DelegateError> => {
    return enumeration<DelegateError>(__DelegateErrorValues)
  }
}

export interface DelegateResponse {
  version: number
  error: DelegateError
  message: string
  stored: number
}

export namespace DelegateResponse {
  let _codec: Codec<DelegateResponse>

  export const codec = (): Codec<DelegateResponse> => {
    if (_codec == null) {
      _codec = message<DelegateResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __DelegateErrorValues[obj.error] !== 0) {
          w.uint32(16)
          DelegateError.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.stored != null && obj.stored !== 0)) {
          w.uint32(32)
          w.uint32(obj.stored)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: DelegateError.NONE,
          message: '',
          stored: 0
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
              obj.error = DelegateError.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.stored = reader.uint32()
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
                value: DelegateError.codec().decode(reader)
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
                field: `${prefix}.stored`,
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

  export interface DelegateResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DelegateResponseErrorFieldEvent {
    field: '$.error'
    value: DelegateError
  }

  export interface DelegateResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface DelegateResponseStoredFieldEvent {
    field: '$.stored'
    value: number
  }

  export function encode (obj: Partial<DelegateResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DelegateResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateResponse>): DelegateResponse {
    return decodeMessage(buf, DelegateResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateResponse>): Generator<DelegateResponseVersionFieldEvent | DelegateResponseErrorFieldEvent | DelegateResponseMessageFieldEvent | DelegateResponseStoredFieldEvent> {
    return streamMessage(buf, DelegateResponse.codec(), opts)
  }
}

export interface ProvideRequest {
  version: number
  claim?: SignedProviderClaim
}

export namespace ProvideRequest {
  let _codec: Codec<ProvideRequest>

  export const codec = (): Codec<ProvideRequest> => {
    if (_codec == null) {
      _codec = message<ProvideRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.claim != null) {
          w.uint32(18)
          SignedProviderClaim.codec().encode(obj.claim, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
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
              obj.claim = SignedProviderClaim.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.claim
              })
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
              yield * SignedProviderClaim.codec().stream(reader, reader.uint32(), `${prefix}.claim`, {
                limits: opts.limits?.claim
              })

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

  export interface ProvideRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ProvideRequestClaimClaimFieldEvent {
    field: '$.claim.claim'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProvideRequestClaimSignatureFieldEvent {
    field: '$.claim.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ProvideRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProvideRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProvideRequest>): ProvideRequest {
    return decodeMessage(buf, ProvideRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProvideRequest>): Generator<ProvideRequestVersionFieldEvent | ProvideRequestClaimClaimFieldEvent | ProvideRequestClaimSignatureFieldEvent> {
    return streamMessage(buf, ProvideRequest.codec(), opts)
  }
}

export enum ProvideError {
  PROVIDE_NONE = 'PROVIDE_NONE',
  PROVIDE_UNSUPPORTED_VERSION = 'PROVIDE_UNSUPPORTED_VERSION',
  PROVIDE_MALFORMED_MESSAGE = 'PROVIDE_MALFORMED_MESSAGE',
  PROVIDE_MESSAGE_TOO_LARGE = 'PROVIDE_MESSAGE_TOO_LARGE',
  PROVIDE_NOT_A_SERVER = 'PROVIDE_NOT_A_SERVER',
  PROVIDE_INVALID_CLAIM = 'PROVIDE_INVALID_CLAIM',
  PROVIDE_RATE_LIMITED = 'PROVIDE_RATE_LIMITED'
}

enum __ProvideErrorValues {
  PROVIDE_NONE = 0,
  PROVIDE_UNSUPPORTED_VERSION = 1,
  PROVIDE_MALFORMED_MESSAGE = 2,
  PROVIDE_MESSAGE_TOO_LARGE = 3,
  PROVIDE_NOT_A_SERVER = 4,
  PROVIDE_INVALID_CLAIM = 5,
  PROVIDE_RATE_LIMITED = 6
}

export namespace ProvideError {
  export const codec = (): Codec<ProvideError> => {
    return enumeration<ProvideError>(__ProvideErrorValues)
  }
}

export interface ProvideResponse {
  version: number
  error: ProvideError
  message: string
}

export namespace ProvideResponse {
  let _codec: Codec<ProvideResponse>

  export const codec = (): Codec<ProvideResponse> => {
    if (_codec == null) {
      _codec = message<ProvideResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __ProvideErrorValues[obj.error] !== 0) {
          w.uint32(16)
          ProvideError.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: ProvideError.PROVIDE_NONE,
          message: ''
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
              obj.error = ProvideError.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
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
                value: ProvideError.codec().decode(reader)
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

  export interface ProvideResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ProvideResponseErrorFieldEvent {
    field: '$.error'
    value: ProvideError
  }

  export interface ProvideResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<ProvideResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProvideResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProvideResponse>): ProvideResponse {
    return decodeMessage(buf, ProvideResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProvideResponse>): Generator<ProvideResponseVersionFieldEvent | ProvideResponseErrorFieldEvent | ProvideResponseMessageFieldEvent> {
    return streamMessage(buf, ProvideResponse.codec(), opts)
  }
}
