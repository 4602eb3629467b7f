import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface JobsRequest {
  version: number
  kind: JobsRequest.Kind
  body: Uint8Array<ArrayBuffer>
  jobId: string
  user: string
  email: string
  peer: string
  ban: boolean
}

export namespace JobsRequest {
  export enum Kind {
    SUBMIT = 'SUBMIT',
    STATUS = 'STATUS',
    CANCEL = 'CANCEL',
    LIST = 'LIST',
    REGISTER = 'REGISTER',
    UNREGISTER = 'UNREGISTER',
    PROVIDERS = 'PROVIDERS',
    ADMIN_REMOVE = 'ADMIN_REMOVE',
    RESULTS = 'RESULTS'
  }

  enum __KindValues {
    SUBMIT = 0,
    STATUS = 1,
    CANCEL = 2,
    LIST = 3,
    REGISTER = 4,
    UNREGISTER = 5,
    PROVIDERS = 6,
    ADMIN_REMOVE = 7,
    RESULTS = 8
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<JobsRequest>

  export const codec = (): Codec<JobsRequest> => {
    if (_codec == null) {
      _codec = message<JobsRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(16)
          JobsRequest.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.body)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(34)
          w.string(obj.jobId)
        }

        if ((obj.user != null && obj.user !== '')) {
          w.uint32(42)
          w.string(obj.user)
        }

        if ((obj.email != null && obj.email !== '')) {
          w.uint32(50)
          w.string(obj.email)
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(58)
          w.string(obj.peer)
        }

        if ((obj.ban != null && obj.ban !== false)) {
          w.uint32(64)
          w.bool(obj.ban)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          kind: Kind.SUBMIT,
          body: uint8ArrayAlloc(0),
          jobId: '',
          user: '',
          email: '',
          peer: '',
          ban: false
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
              obj.kind = JobsRequest.Kind.codec().decode(reader)
              break
            }
            case 3: {
              obj.body = reader.bytes()
              break
            }
            case 4: {
              obj.jobId = reader.string()
              break
            }
            case 5: {
              obj.user = reader.string()
              break
            }
            case 6: {
              obj.email = reader.string()
              break
            }
            case 7: {
              obj.peer = reader.string()
              break
            }
            case 8: {
              obj.ban = reader.bool()
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
                field: `${prefix}.kind`,
                value: JobsRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.user`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.email`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.ban`,
                value: reader.bool()
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

  export interface JobsRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface JobsRequestKindFieldEvent {
    field: '$.kind'
    value: JobsRequest.Kind
  }

  export interface JobsRequestBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobsRequestJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobsRequestUserFieldEvent {
    field: '$.user'
    value: string
  }

  export interface JobsRequestEmailFieldEvent {
    field: '$.email'
    value: string
  }

  export interface JobsRequestPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface JobsRequestBanFieldEvent {
    field: '$.ban'
    value: boolean
  }

  export function encode (obj: Partial<JobsRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobsRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsRequest>): JobsRequest {
    return decodeMessage(buf, JobsRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsRequest>): Generator<JobsRequestVersionFieldEvent | JobsRequestKindFieldEvent | JobsRequestBodyFieldEvent | JobsRequestJobIdFieldEvent | JobsRequestUserFieldEvent | JobsRequestEmailFieldEvent | JobsRequestPeerFieldEvent | JobsRequestBanFieldEvent> {
    return streamMessage(buf, JobsRequest.codec(), opts)
  }
}

export interface JobsResponse {
  version: number
  error: JobsResponse.Error
  message: string
  body: Uint8Array<ArrayBuffer>
  jobId: string
  userSerialId: number
}

export namespace JobsResponse {
  export enum Error {
    NONE = 'NONE',
    UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
    MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
    MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
    RATE_LIMITED = 'RATE_LIMITED',
    INVALID_JOB = 'INVALID_JOB',
    NOT_FOUND = 'NOT_FOUND',
    FORBIDDEN = 'FORBIDDEN',
    INTERNAL = 'INTERNAL'
  }

  enum __ErrorValues {
    NONE = 0,
    UNSUPPORTED_VERSION = 1,
    MALFORMED_MESSAGE = 2,
    MESSAGE_TOO_LARGE = 3,
    RATE_LIMITED = 4,
    INVALID_JOB = 5,
    NOT_FOUND = 6,
    FORBIDDEN = 7,
    INTERNAL = 8
  }

  export namespace Error {
    export const codec = (): Codec<Error> => {
      return enumeration<Error>(__ErrorValues)
    }
  }

  let _codec: Codec<JobsResponse>

  export const codec = (): Codec<JobsResponse> => {
    if (_codec == null) {
      _codec = message<JobsResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __ErrorValues[obj.error] !== 0) {
          w.uint32(16)
          JobsResponse.Error.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.body)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(42)
          w.string(obj.jobId)
        }

        if ((obj.userSerialId != null && obj.userSerialId !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.userSerialId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: Error.NONE,
          message: '',
          body: uint8ArrayAlloc(0),
          jobId: '',
          userSerialId: 0
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
              obj.error = JobsResponse.Error.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.body = reader.bytes()
              break
            }
            case 5: {
              obj.jobId = reader.string()
              break
            }
            case 6: {
              obj.userSerialId = reader.uint64Number()
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
                value: JobsResponse.Error.codec().decode(reader)
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
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.userSerialId`,
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

  export interface JobsResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface JobsResponseErrorFieldEvent {
    field: '$.error'
    value: JobsResponse.Error
  }

  export interface JobsResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface JobsResponseBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface JobsResponseJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface JobsResponseUserSerialIdFieldEvent {
    field: '$.userSerialId'
    value: number
  }

  export function encode (obj: Partial<JobsResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JobsResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsResponse>): JobsResponse {
    return decodeMessage(buf, JobsResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JobsResponse>): Generator<JobsResponseVersionFieldEvent | JobsResponseErrorFieldEvent | JobsResponseMessageFieldEvent | JobsResponseBodyFieldEvent | JobsResponseJobIdFieldEvent | JobsResponseUserSerialIdFieldEvent> {
    return streamMessage(buf, JobsResponse.codec(), opts)
  }
}
