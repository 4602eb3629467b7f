import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface HostInfo {
  cpus: number
  memoryMb: number
  uptimeMs: number
  platform: string
}

export namespace HostInfo {
  let _codec: Codec<HostInfo>

  export const codec = (): Codec<HostInfo> => {
    if (_codec == null) {
      _codec = message<HostInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cpus != null && obj.cpus !== 0)) {
          w.uint32(8)
          w.uint32(obj.cpus)
        }

        if ((obj.memoryMb != null && obj.memoryMb !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.memoryMb)
        }

        if ((obj.uptimeMs != null && obj.uptimeMs !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.uptimeMs)
        }

        if ((obj.platform != null && obj.platform !== '')) {
          w.uint32(34)
          w.string(obj.platform)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cpus: 0,
          memoryMb: 0,
          uptimeMs: 0,
          platform: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cpus = reader.uint32()
              break
            }
            case 2: {
              obj.memoryMb = reader.uint64Number()
              break
            }
            case 3: {
              obj.uptimeMs = reader.uint64Number()
              break
            }
            case 4: {
              obj.platform = reader.string()
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
                field: `${prefix}.cpus`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.memoryMb`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.uptimeMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.platform`,
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

  export interface HostInfoCpusFieldEvent {
    field: '$.cpus'
    value: number
  }

  export interface HostInfoMemoryMbFieldEvent {
    field: '$.memoryMb'
    value: number
  }

  export interface HostInfoUptimeMsFieldEvent {
    field: '$.uptimeMs'
    value: number
  }

  export interface HostInfoPlatformFieldEvent {
    field: '$.platform'
    value: string
  }

  export function encode (obj: Partial<HostInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HostInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HostInfo>): HostInfo {
    return decodeMessage(buf, HostInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HostInfo>): Generator<HostInfoCpusFieldEvent | HostInfoMemoryMbFieldEvent | HostInfoUptimeMsFieldEvent | HostInfoPlatformFieldEvent> {
    return streamMessage(buf, HostInfo.codec(), opts)
  }
}

export interface JoinRequest {
  version: number
  listenAddrs: string[]
  host?: HostInfo
  claimedSubnet: string
}

export namespace JoinRequest {
  let _codec: Codec<JoinRequest>

  export const codec = (): Codec<JoinRequest> => {
    if (_codec == null) {
      _codec = message<JoinRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.listenAddrs != null && obj.listenAddrs.length > 0) {
          for (const value of obj.listenAddrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.host != null) {
          w.uint32(26)
          HostInfo.codec().encode(obj.host, w)
        }

        if ((obj.claimedSubnet != null && obj.claimedSubnet !== '')) {
          w.uint32(34)
          w.string(obj.claimedSubnet)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          listenAddrs: [],
          claimedSubnet: ''
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
              if (opts.limits?.listenAddrs != null && obj.listenAddrs.length === opts.limits.listenAddrs) {
                throw new MaxLengthError('Decode error - repeated field "listenAddrs" had too many elements')
              }

              if (obj.listenAddrs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "listenAddrs" had too many elements')
              }

              obj.listenAddrs.push(reader.string())
              break
            }
            case 3: {
              obj.host = HostInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.host
              })
              break
            }
            case 4: {
              obj.claimedSubnet = reader.string()
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
          listenAddrs: 16
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
              if (opts.limits?.listenAddrs != null && obj.listenAddrs === opts.limits.listenAddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "listenAddrs" had too many elements')
              }

              if (obj.listenAddrs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "listenAddrs" had too many elements')
              }

              yield {
                field: `${prefix}.listenAddrs[]`,
                index: obj.listenAddrs,
                value: reader.string()
              }

              obj.listenAddrs++

              break
            }
            case 3: {
              yield * HostInfo.codec().stream(reader, reader.uint32(), `${prefix}.host`, {
                limits: opts.limits?.host
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.claimedSubnet`,
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

  export interface JoinRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface JoinRequestListenAddrsFieldEvent {
    field: '$.listenAddrs[]'
    index: number
    value: string
  }

  export interface JoinRequestHostCpusFieldEvent {
    field: '$.host.cpus'
    value: number
  }

  export interface JoinRequestHostMemoryMbFieldEvent {
    field: '$.host.memoryMb'
    value: number
  }

  export interface JoinRequestHostUptimeMsFieldEvent {
    field: '$.host.uptimeMs'
    value: number
  }

  export interface JoinRequestHostPlatformFieldEvent {
    field: '$.host.platform'
    value: string
  }

  export interface JoinRequestClaimedSubnetFieldEvent {
    field: '$.claimedSubnet'
    value: string
  }

  export function encode (obj: Partial<JoinRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinRequest>): JoinRequest {
    return decodeMessage(buf, JoinRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinRequest>): Generator<JoinRequestVersionFieldEvent | JoinRequestListenAddrsFieldEvent | JoinRequestHostCpusFieldEvent | JoinRequestHostMemoryMbFieldEvent | JoinRequestHostUptimeMsFieldEvent | JoinRequestHostPlatformFieldEvent | JoinRequestClaimedSubnetFieldEvent> {
    return streamMessage(buf, JoinRequest.codec(), opts)
  }
}

export enum JoinError {
  NONE = 'NONE',
  UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
  MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
  MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
  RATE_LIMITED = 'RATE_LIMITED',
  SUBNET_MISMATCH = 'SUBNET_MISMATCH',
  UNKNOWN_ADDRESS = 'UNKNOWN_ADDRESS',
  INTERNAL = 'INTERNAL'
}

enum __JoinErrorValues {
  NONE = 0,
  UNSUPPORTED_VERSION = 1,
  MALFORMED_MESSAGE = 2,
  MESSAGE_TOO_LARGE = 3,
  RATE_LIMITED = 4,
  SUBNET_MISMATCH = 5,
  UNKNOWN_ADDRESS = 6,
  INTERNAL = 7
}

export namespace JoinError {
  export const codec = (): Codec<JoinError> => {
    return enumeration<JoinError>(__JoinErrorValues)
  }
}

export interface JoinResponse {
  version: number
  error: JoinError
  message: string
  userSerialId: number
  subnet: string
  observedAddr: string
  table: Uint8Array<ArrayBuffer>
}

export namespace JoinResponse {
  let _codec: Codec<JoinResponse>

  export const codec = (): Codec<JoinResponse> => {
    if (_codec == null) {
      _codec = message<JoinResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __JoinErrorValues[obj.error] !== 0) {
          w.uint32(16)
          JoinError.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if ((obj.userSerialId != null && obj.userSerialId !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.userSerialId)
        }

        if ((obj.subnet != null && obj.subnet !== '')) {
          w.uint32(42)
          w.string(obj.subnet)
        }

        if ((obj.observedAddr != null && obj.observedAddr !== '')) {
          w.uint32(50)
          w.string(obj.observedAddr)
        }

        if ((obj.table != null && obj.table.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.table)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: JoinError.NONE,
          message: '',
          userSerialId: 0,
          subnet: '',
          observedAddr: '',
          table: uint8ArrayAlloc(0)
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
              obj.error = JoinError.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.userSerialId = reader.uint64Number()
              break
            }
            case 5: {
              obj.subnet = reader.string()
              break
            }
            case 6: {
              obj.observedAddr = reader.string()
              break
            }
            case 7: {
              obj.table = reader.bytes()
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
                value: JoinError.codec().decode(reader)
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
                field: `${prefix}.userSerialId`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.subnet`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.observedAddr`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.table`,
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

  export interface JoinResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface JoinResponseErrorFieldEvent {
    field: '$.error'
    value: JoinError
  }

  export interface JoinResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface JoinResponseUserSerialIdFieldEvent {
    field: '$.userSerialId'
    value: number
  }

  export interface JoinResponseSubnetFieldEvent {
    field: '$.subnet'
    value: string
  }

  export interface JoinResponseObservedAddrFieldEvent {
    field: '$.observedAddr'
    value: string
  }

  export interface JoinResponseTableFieldEvent {
    field: '$.table'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<JoinResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, JoinResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinResponse>): JoinResponse {
    return decodeMessage(buf, JoinResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<JoinResponse>): Generator<JoinResponseVersionFieldEvent | JoinResponseErrorFieldEvent | JoinResponseMessageFieldEvent | JoinResponseUserSerialIdFieldEvent | JoinResponseSubnetFieldEvent | JoinResponseObservedAddrFieldEvent | JoinResponseTableFieldEvent> {
    return streamMessage(buf, JoinResponse.codec(), opts)
  }
}
