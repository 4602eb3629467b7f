import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface UnitOutput {
  jobId: string
  unitIndex: number
  replicaId: number
  outputHash: Uint8Array<ArrayBuffer>
  stdout: Uint8Array<ArrayBuffer>
  files: OutputFile[]
}

export namespace UnitOutput {
  let _codec: Codec<UnitOutput>

  export const codec = (): Codec<UnitOutput> => {
    if (_codec == null) {
      _codec = message<UnitOutput>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(10)
          w.string(obj.jobId)
        }

        if ((obj.unitIndex != null && obj.unitIndex !== 0)) {
          w.uint32(16)
          w.uint32(obj.unitIndex)
        }

        if ((obj.replicaId != null && obj.replicaId !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.replicaId)
        }

        if ((obj.outputHash != null && obj.outputHash.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.outputHash)
        }

        if ((obj.stdout != null && obj.stdout.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.stdout)
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(50)
            OutputFile.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          jobId: '',
          unitIndex: 0,
          replicaId: 0,
          outputHash: uint8ArrayAlloc(0),
          stdout: uint8ArrayAlloc(0),
          files: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.jobId = reader.string()
              break
            }
            case 2: {
              obj.unitIndex = reader.uint32()
              break
            }
            case 3: {
              obj.replicaId = reader.uint64Number()
              break
            }
            case 4: {
              obj.outputHash = reader.bytes()
              break
            }
            case 5: {
              obj.stdout = reader.bytes()
              break
            }
            case 6: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              if (obj.files.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(OutputFile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
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
          files: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.unitIndex`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.replicaId`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.outputHash`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.stdout`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              if (obj.files === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of OutputFile.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

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

  export interface UnitOutputJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface UnitOutputUnitIndexFieldEvent {
    field: '$.unitIndex'
    value: number
  }

  export interface UnitOutputReplicaIdFieldEvent {
    field: '$.replicaId'
    value: number
  }

  export interface UnitOutputOutputHashFieldEvent {
    field: '$.outputHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnitOutputStdoutFieldEvent {
    field: '$.stdout'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnitOutputFilesNameFieldEvent {
    field: '$.files[].name'
    value: string
    index: number
  }

  export interface UnitOutputFilesDataFieldEvent {
    field: '$.files[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<UnitOutput>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnitOutput.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnitOutput>): UnitOutput {
    return decodeMessage(buf, UnitOutput.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnitOutput>): Generator<UnitOutputJobIdFieldEvent | UnitOutputUnitIndexFieldEvent | UnitOutputReplicaIdFieldEvent | UnitOutputOutputHashFieldEvent | UnitOutputStdoutFieldEvent | UnitOutputFilesNameFieldEvent | UnitOutputFilesDataFieldEvent> {
    return streamMessage(buf, UnitOutput.codec(), opts)
  }
}

export interface OutputFile {
  name: string
  data: Uint8Array<ArrayBuffer>
}

export namespace OutputFile {
  let _codec: Codec<OutputFile>

  export const codec = (): Codec<OutputFile> => {
    if (_codec == null) {
      _codec = message<OutputFile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
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

  export interface OutputFileNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface OutputFileDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OutputFile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputFile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputFile>): OutputFile {
    return decodeMessage(buf, OutputFile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputFile>): Generator<OutputFileNameFieldEvent | OutputFileDataFieldEvent> {
    return streamMessage(buf, OutputFile.codec(), opts)
  }
}

export interface OutputRequest {
  version: number
  kind: OutputRequest.Kind
  output?: UnitOutput
  replicaId: number
  jobId: string
  unitIndex: number
  outputHash: Uint8Array<ArrayBuffer>
}

export namespace OutputRequest {
  export enum Kind {
    PUSH = 'PUSH',
    FETCH = 'FETCH'
  }

  enum __KindValues {
    PUSH = 0,
    FETCH = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<OutputRequest>

  export const codec = (): Codec<OutputRequest> => {
    if (_codec == null) {
      _codec = message<OutputRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(16)
          OutputRequest.Kind.codec().encode(obj.kind, w)
        }

        if (obj.output != null) {
          w.uint32(26)
          UnitOutput.codec().encode(obj.output, w)
        }

        if ((obj.replicaId != null && obj.replicaId !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.replicaId)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(42)
          w.string(obj.jobId)
        }

        if ((obj.unitIndex != null && obj.unitIndex !== 0)) {
          w.uint32(48)
          w.uint32(obj.unitIndex)
        }

        if ((obj.outputHash != null && obj.outputHash.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.outputHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          kind: Kind.PUSH,
          replicaId: 0,
          jobId: '',
          unitIndex: 0,
          outputHash: uint8ArrayAlloc(0)
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
              obj.kind = OutputRequest.Kind.codec().decode(reader)
              break
            }
            case 3: {
              obj.output = UnitOutput.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.output
              })
              break
            }
            case 4: {
              obj.replicaId = reader.uint64Number()
              break
            }
            case 5: {
              obj.jobId = reader.string()
              break
            }
            case 6: {
              obj.unitIndex = reader.uint32()
              break
            }
            case 7: {
              obj.outputHash = reader.bytes()
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
                value: OutputRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield * UnitOutput.codec().stream(reader, reader.uint32(), `${prefix}.output`, {
                limits: opts.limits?.output
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.replicaId`,
                value: reader.uint64Number()
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
                field: `${prefix}.unitIndex`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.outputHash`,
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

  export interface OutputRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface OutputRequestKindFieldEvent {
    field: '$.kind'
    value: OutputRequest.Kind
  }

  export interface OutputRequestOutputJobIdFieldEvent {
    field: '$.output.jobId'
    value: string
  }

  export interface OutputRequestOutputUnitIndexFieldEvent {
    field: '$.output.unitIndex'
    value: number
  }

  export interface OutputRequestOutputReplicaIdFieldEvent {
    field: '$.output.replicaId'
    value: number
  }

  export interface OutputRequestOutputOutputHashFieldEvent {
    field: '$.output.outputHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OutputRequestOutputStdoutFieldEvent {
    field: '$.output.stdout'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OutputRequestOutputFilesNameFieldEvent {
    field: '$.output.files[].name'
    value: string
    index: number
  }

  export interface OutputRequestOutputFilesDataFieldEvent {
    field: '$.output.files[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OutputRequestReplicaIdFieldEvent {
    field: '$.replicaId'
    value: number
  }

  export interface OutputRequestJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface OutputRequestUnitIndexFieldEvent {
    field: '$.unitIndex'
    value: number
  }

  export interface OutputRequestOutputHashFieldEvent {
    field: '$.outputHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OutputRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputRequest>): OutputRequest {
    return decodeMessage(buf, OutputRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputRequest>): Generator<OutputRequestVersionFieldEvent | OutputRequestKindFieldEvent | OutputRequestOutputJobIdFieldEvent | OutputRequestOutputUnitIndexFieldEvent | OutputRequestOutputReplicaIdFieldEvent | OutputRequestOutputOutputHashFieldEvent | OutputRequestOutputStdoutFieldEvent | OutputRequestOutputFilesNameFieldEvent | OutputRequestOutputFilesDataFieldEvent | OutputRequestReplicaIdFieldEvent | OutputRequestJobIdFieldEvent | OutputRequestUnitIndexFieldEvent | OutputRequestOutputHashFieldEvent> {
    return streamMessage(buf, OutputRequest.codec(), opts)
  }
}

export interface OutputResponse {
  version: number
  error: OutputResponse.Error
  message: string
  output?: UnitOutput
}

export namespace OutputResponse {
  export enum Error {
    NONE = 'NONE',
    UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
    MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
    MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
    NOT_FOUND = 'NOT_FOUND',
    FORBIDDEN = 'FORBIDDEN',
    HASH_MISMATCH = 'HASH_MISMATCH',
    INTERNAL = 'INTERNAL',
    RATE_LIMITED = 'RATE_LIMITED'
  }

  enum __ErrorValues {
    NONE = 0,
    UNSUPPORTED_VERSION = 1,
    MALFORMED_MESSAGE = 2,
    MESSAGE_TOO_LARGE = 3,
    NOT_FOUND = 4,
    FORBIDDEN = 5,
    HASH_MISMATCH = 6,
    INTERNAL = 7,
    RATE_LIMITED = 8
  }

  export namespace Error {
    export const codec = (): Codec<Error> => {
      return enumeration<Error>(__ErrorValues)
    }
  }

  let _codec: Codec<OutputResponse>

  export const codec = (): Codec<OutputResponse> => {
    if (_codec == null) {
      _codec = message<OutputResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __ErrorValues[obj.error] !== 0) {
          w.uint32(16)
          OutputResponse.Error.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.output != null) {
          w.uint32(34)
          UnitOutput.codec().encode(obj.output, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: Error.NONE,
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
              obj.error = OutputResponse.Error.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              obj.output = UnitOutput.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.output
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
                field: `${prefix}.error`,
                value: OutputResponse.Error.codec().decode(reader)
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
              yield * UnitOutput.codec().stream(reader, reader.uint32(), `${prefix}.output`, {
                limits: opts.limits?.output
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

  export interface OutputResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface OutputResponseErrorFieldEvent {
    field: '$.error'
    value: OutputResponse.Error
  }

  export interface OutputResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface OutputResponseOutputJobIdFieldEvent {
    field: '$.output.jobId'
    value: string
  }

  export interface OutputResponseOutputUnitIndexFieldEvent {
    field: '$.output.unitIndex'
    value: number
  }

  export interface OutputResponseOutputReplicaIdFieldEvent {
    field: '$.output.replicaId'
    value: number
  }

  export interface OutputResponseOutputOutputHashFieldEvent {
    field: '$.output.outputHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OutputResponseOutputStdoutFieldEvent {
    field: '$.output.stdout'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OutputResponseOutputFilesNameFieldEvent {
    field: '$.output.files[].name'
    value: string
    index: number
  }

  export interface OutputResponseOutputFilesDataFieldEvent {
    field: '$.output.files[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<OutputResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OutputResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputResponse>): OutputResponse {
    return decodeMessage(buf, OutputResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OutputResponse>): Generator<OutputResponseVersionFieldEvent | OutputResponseErrorFieldEvent | OutputResponseMessageFieldEvent | OutputResponseOutputJobIdFieldEvent | OutputResponseOutputUnitIndexFieldEvent | OutputResponseOutputReplicaIdFieldEvent | OutputResponseOutputOutputHashFieldEvent | OutputResponseOutputStdoutFieldEvent | OutputResponseOutputFilesNameFieldEvent | OutputResponseOutputFilesDataFieldEvent> {
    return streamMessage(buf, OutputResponse.codec(), opts)
  }
}
