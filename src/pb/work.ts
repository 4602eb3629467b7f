import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ProviderHost {
  cpuModel: string
  cores: number
  cpuMhz: number
  os: string
  memoryMb: number
  freeDiskMb: number
  network: string
  bandwidthBps: number
}

export namespace ProviderHost {
  let _codec: Codec<ProviderHost>

  export const codec = (): Codec<ProviderHost> => {
    if (_codec == null) {
      _codec = message<ProviderHost>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cpuModel != null && obj.cpuModel !== '')) {
          w.uint32(10)
          w.string(obj.cpuModel)
        }

        if ((obj.cores != null && obj.cores !== 0)) {
          w.uint32(16)
          w.uint32(obj.cores)
        }

        if ((obj.cpuMhz != null && obj.cpuMhz !== 0)) {
          w.uint32(24)
          w.uint32(obj.cpuMhz)
        }

        if ((obj.os != null && obj.os !== '')) {
          w.uint32(34)
          w.string(obj.os)
        }

        if ((obj.memoryMb != null && obj.memoryMb !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.memoryMb)
        }

        if ((obj.freeDiskMb != null && obj.freeDiskMb !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.freeDiskMb)
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(58)
          w.string(obj.network)
        }

        if ((obj.bandwidthBps != null && obj.bandwidthBps !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.bandwidthBps)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cpuModel: '',
          cores: 0,
          cpuMhz: 0,
          os: '',
          memoryMb: 0,
          freeDiskMb: 0,
          network: '',
          bandwidthBps: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cpuModel = reader.string()
              break
            }
            case 2: {
              obj.cores = reader.uint32()
              break
            }
            case 3: {
              obj.cpuMhz = reader.uint32()
              break
            }
            case 4: {
              obj.os = reader.string()
              break
            }
            case 5: {
              obj.memoryMb = reader.uint64Number()
              break
            }
            case 6: {
              obj.freeDiskMb = reader.uint64Number()
              break
            }
            case 7: {
              obj.network = reader.string()
              break
            }
            case 8: {
              obj.bandwidthBps = reader.uint64Number()
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
                field: `${prefix}.cpuModel`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cores`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.cpuMhz`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.os`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.memoryMb`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.freeDiskMb`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.bandwidthBps`,
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

  export interface ProviderHostCpuModelFieldEvent {
    field: '$.cpuModel'
    value: string
  }

  export interface ProviderHostCoresFieldEvent {
    field: '$.cores'
    value: number
  }

  export interface ProviderHostCpuMhzFieldEvent {
    field: '$.cpuMhz'
    value: number
  }

  export interface ProviderHostOsFieldEvent {
    field: '$.os'
    value: string
  }

  export interface ProviderHostMemoryMbFieldEvent {
    field: '$.memoryMb'
    value: number
  }

  export interface ProviderHostFreeDiskMbFieldEvent {
    field: '$.freeDiskMb'
    value: number
  }

  export interface ProviderHostNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface ProviderHostBandwidthBpsFieldEvent {
    field: '$.bandwidthBps'
    value: number
  }

  export function encode (obj: Partial<ProviderHost>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ProviderHost.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProviderHost>): ProviderHost {
    return decodeMessage(buf, ProviderHost.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ProviderHost>): Generator<ProviderHostCpuModelFieldEvent | ProviderHostCoresFieldEvent | ProviderHostCpuMhzFieldEvent | ProviderHostOsFieldEvent | ProviderHostMemoryMbFieldEvent | ProviderHostFreeDiskMbFieldEvent | ProviderHostNetworkFieldEvent | ProviderHostBandwidthBpsFieldEvent> {
    return streamMessage(buf, ProviderHost.codec(), opts)
  }
}

export interface WorkRequest {
  version: number
  kind: WorkRequest.Kind
  host?: ProviderHost
  cpus: number
  maxMemoryMb: number
  apps: string[]
  maxUnits: number
  results: ReplicaResult[]
}

export namespace WorkRequest {
  export enum Kind {
    HELLO = 'HELLO',
    FETCH = 'FETCH',
    REPORT = 'REPORT'
  }

  enum __KindValues {
    HELLO = 0,
    FETCH = 1,
    REPORT = 2
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<WorkRequest>

  export const codec = (): Codec<WorkRequest> => {
    if (_codec == null) {
      _codec = message<WorkRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(16)
          WorkRequest.Kind.codec().encode(obj.kind, w)
        }

        if (obj.host != null) {
          w.uint32(26)
          ProviderHost.codec().encode(obj.host, w)
        }

        if ((obj.cpus != null && obj.cpus !== 0)) {
          w.uint32(32)
          w.uint32(obj.cpus)
        }

        if ((obj.maxMemoryMb != null && obj.maxMemoryMb !== 0)) {
          w.uint32(40)
          w.uint32(obj.maxMemoryMb)
        }

        if (obj.apps != null && obj.apps.length > 0) {
          for (const value of obj.apps) {
            w.uint32(50)
            w.string(value)
          }
        }

        if ((obj.maxUnits != null && obj.maxUnits !== 0)) {
          w.uint32(56)
          w.uint32(obj.maxUnits)
        }

        if (obj.results != null && obj.results.length > 0) {
          for (const value of obj.results) {
            w.uint32(66)
            ReplicaResult.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          kind: Kind.HELLO,
          cpus: 0,
          maxMemoryMb: 0,
          apps: [],
          maxUnits: 0,
          results: []
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
              obj.kind = WorkRequest.Kind.codec().decode(reader)
              break
            }
            case 3: {
              obj.host = ProviderHost.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.host
              })
              break
            }
            case 4: {
              obj.cpus = reader.uint32()
              break
            }
            case 5: {
              obj.maxMemoryMb = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.apps != null && obj.apps.length === opts.limits.apps) {
                throw new MaxLengthError('Decode error - repeated field "apps" had too many elements')
              }

              if (obj.apps.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "apps" had too many elements')
              }

              obj.apps.push(reader.string())
              break
            }
            case 7: {
              obj.maxUnits = reader.uint32()
              break
            }
            case 8: {
              if (opts.limits?.results != null && obj.results.length === opts.limits.results) {
                throw new MaxLengthError('Decode error - repeated field "results" had too many elements')
              }

              if (obj.results.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "results" had too many elements')
              }

              obj.results.push(ReplicaResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.results$
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
          apps: 64,
          results: 256
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
                field: `${prefix}.kind`,
                value: WorkRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield * ProviderHost.codec().stream(reader, reader.uint32(), `${prefix}.host`, {
                limits: opts.limits?.host
              })

              break
            }
            case 4: {
              yield {
                field: `${prefix}.cpus`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.maxMemoryMb`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.apps != null && obj.apps === opts.limits.apps) {
                throw new MaxLengthError('Streaming decode error - repeated field "apps" had too many elements')
              }

              if (obj.apps === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "apps" had too many elements')
              }

              yield {
                field: `${prefix}.apps[]`,
                index: obj.apps,
                value: reader.string()
              }

              obj.apps++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.maxUnits`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              if (opts.limits?.results != null && obj.results === opts.limits.results) {
                throw new MaxLengthError('Streaming decode error - repeated field "results" had too many elements')
              }

              if (obj.results === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "results" had too many elements')
              }

              for (const evt of ReplicaResult.codec().stream(reader, reader.uint32(), `${prefix}.results[]`, {
                limits: opts.limits?.results$
              })) {
                yield {
                  ...evt,
                  index: obj.results
                }
              }

              obj.results++

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

  export interface WorkRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface WorkRequestKindFieldEvent {
    field: '$.kind'
    value: WorkRequest.Kind
  }

  export interface WorkRequestHostCpuModelFieldEvent {
    field: '$.host.cpuModel'
    value: string
  }

  export interface WorkRequestHostCoresFieldEvent {
    field: '$.host.cores'
    value: number
  }

  export interface WorkRequestHostCpuMhzFieldEvent {
    field: '$.host.cpuMhz'
    value: number
  }

  export interface WorkRequestHostOsFieldEvent {
    field: '$.host.os'
    value: string
  }

  export interface WorkRequestHostMemoryMbFieldEvent {
    field: '$.host.memoryMb'
    value: number
  }

  export interface WorkRequestHostFreeDiskMbFieldEvent {
    field: '$.host.freeDiskMb'
    value: number
  }

  export interface WorkRequestHostNetworkFieldEvent {
    field: '$.host.network'
    value: string
  }

  export interface WorkRequestHostBandwidthBpsFieldEvent {
    field: '$.host.bandwidthBps'
    value: number
  }

  export interface WorkRequestCpusFieldEvent {
    field: '$.cpus'
    value: number
  }

  export interface WorkRequestMaxMemoryMbFieldEvent {
    field: '$.maxMemoryMb'
    value: number
  }

  export interface WorkRequestAppsFieldEvent {
    field: '$.apps[]'
    index: number
    value: string
  }

  export interface WorkRequestMaxUnitsFieldEvent {
    field: '$.maxUnits'
    value: number
  }

  export interface WorkRequestResultsReplicaIdFieldEvent {
    field: '$.results[].replicaId'
    value: number
    index: number
  }

  export interface WorkRequestResultsOutcomeFieldEvent {
    field: '$.results[].outcome'
    value: ReplicaResult.Outcome
    index: number
  }

  export interface WorkRequestResultsOutputHashFieldEvent {
    field: '$.results[].outputHash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface WorkRequestResultsOutputBytesFieldEvent {
    field: '$.results[].outputBytes'
    value: number
    index: number
  }

  export interface WorkRequestResultsWallMsFieldEvent {
    field: '$.results[].wallMs'
    value: number
    index: number
  }

  export interface WorkRequestResultsErrorFieldEvent {
    field: '$.results[].error'
    value: string
    index: number
  }

  export function encode (obj: Partial<WorkRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkRequest>): WorkRequest {
    return decodeMessage(buf, WorkRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkRequest>): Generator<WorkRequestVersionFieldEvent | WorkRequestKindFieldEvent | WorkRequestHostCpuModelFieldEvent | WorkRequestHostCoresFieldEvent | WorkRequestHostCpuMhzFieldEvent | WorkRequestHostOsFieldEvent | WorkRequestHostMemoryMbFieldEvent | WorkRequestHostFreeDiskMbFieldEvent | WorkRequestHostNetworkFieldEvent | WorkRequestHostBandwidthBpsFieldEvent | WorkRequestCpusFieldEvent | WorkRequestMaxMemoryMbFieldEvent | WorkRequestAppsFieldEvent | WorkRequestMaxUnitsFieldEvent | WorkRequestResultsReplicaIdFieldEvent | WorkRequestResultsOutcomeFieldEvent | WorkRequestResultsOutputHashFieldEvent | WorkRequestResultsOutputBytesFieldEvent | WorkRequestResultsWallMsFieldEvent | WorkRequestResultsErrorFieldEvent> {
    return streamMessage(buf, WorkRequest.codec(), opts)
  }
}

export interface ReplicaResult {
  replicaId: number
  outcome: ReplicaResult.Outcome
  outputHash: Uint8Array<ArrayBuffer>
  outputBytes: number
  wallMs: number
  error: string
}

export namespace ReplicaResult {
  export enum Outcome {
    OK = 'OK',
    FAILED = 'FAILED',
    TIMEOUT = 'TIMEOUT',
    MEMORY = 'MEMORY',
    OUTPUT = 'OUTPUT',
    ABANDONED = 'ABANDONED'
  }

  enum __OutcomeValues {
    OK = 0,
    FAILED = 1,
    TIMEOUT = 2,
    MEMORY = 3,
    OUTPUT = 4,
    ABANDONED = 5
  }

  export namespace Outcome {
    export const codec = (): Codec<Outcome> => {
      return enumeration<Outcome>(__OutcomeValues)
    }
  }

  let _codec: Codec<ReplicaResult>

  export const codec = (): Codec<ReplicaResult> => {
    if (_codec == null) {
      _codec = message<ReplicaResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.replicaId != null && obj.replicaId !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.replicaId)
        }

        if (obj.outcome != null && __OutcomeValues[obj.outcome] !== 0) {
          w.uint32(16)
          ReplicaResult.Outcome.codec().encode(obj.outcome, w)
        }

        if ((obj.outputHash != null && obj.outputHash.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.outputHash)
        }

        if ((obj.outputBytes != null && obj.outputBytes !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.outputBytes)
        }

        if ((obj.wallMs != null && obj.wallMs !== 0)) {
          w.uint32(40)
          w.uint32(obj.wallMs)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(50)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          replicaId: 0,
          outcome: Outcome.OK,
          outputHash: uint8ArrayAlloc(0),
          outputBytes: 0,
          wallMs: 0,
          error: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.replicaId = reader.uint64Number()
              break
            }
            case 2: {
              obj.outcome = ReplicaResult.Outcome.codec().decode(reader)
              break
            }
            case 3: {
              obj.outputHash = reader.bytes()
              break
            }
            case 4: {
              obj.outputBytes = reader.uint64Number()
              break
            }
            case 5: {
              obj.wallMs = reader.uint32()
              break
            }
            case 6: {
              obj.error = reader.string()
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
                field: `${prefix}.replicaId`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.outcome`,
                value: ReplicaResult.Outcome.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.outputHash`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.outputBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.wallMs`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.error`,
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

  export interface ReplicaResultReplicaIdFieldEvent {
    field: '$.replicaId'
    value: number
  }

  export interface ReplicaResultOutcomeFieldEvent {
    field: '$.outcome'
    value: ReplicaResult.Outcome
  }

  export interface ReplicaResultOutputHashFieldEvent {
    field: '$.outputHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReplicaResultOutputBytesFieldEvent {
    field: '$.outputBytes'
    value: number
  }

  export interface ReplicaResultWallMsFieldEvent {
    field: '$.wallMs'
    value: number
  }

  export interface ReplicaResultErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<ReplicaResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReplicaResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReplicaResult>): ReplicaResult {
    return decodeMessage(buf, ReplicaResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReplicaResult>): Generator<ReplicaResultReplicaIdFieldEvent | ReplicaResultOutcomeFieldEvent | ReplicaResultOutputHashFieldEvent | ReplicaResultOutputBytesFieldEvent | ReplicaResultWallMsFieldEvent | ReplicaResultErrorFieldEvent> {
    return streamMessage(buf, ReplicaResult.codec(), opts)
  }
}

export interface WorkUnit {
  replicaId: number
  jobId: string
  unitIndex: number
  appCid: string
  args: string[]
  inputs: UnitInput[]
  deadlineMs: number
  maxMemoryBytes: number
  maxOutputBytes: number
  owner: string
  ownerAddrs: string[]
  stdout: boolean
  outputFiles: string[]
}

export namespace WorkUnit {
  let _codec: Codec<WorkUnit>

  export const codec = (): Codec<WorkUnit> => {
    if (_codec == null) {
      _codec = message<WorkUnit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.replicaId != null && obj.replicaId !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.replicaId)
        }

        if ((obj.jobId != null && obj.jobId !== '')) {
          w.uint32(18)
          w.string(obj.jobId)
        }

        if ((obj.unitIndex != null && obj.unitIndex !== 0)) {
          w.uint32(24)
          w.uint32(obj.unitIndex)
        }

        if ((obj.appCid != null && obj.appCid !== '')) {
          w.uint32(34)
          w.string(obj.appCid)
        }

        if (obj.args != null && obj.args.length > 0) {
          for (const value of obj.args) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.inputs != null && obj.inputs.length > 0) {
          for (const value of obj.inputs) {
            w.uint32(50)
            UnitInput.codec().encode(value, w)
          }
        }

        if ((obj.deadlineMs != null && obj.deadlineMs !== 0)) {
          w.uint32(56)
          w.uint32(obj.deadlineMs)
        }

        if ((obj.maxMemoryBytes != null && obj.maxMemoryBytes !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.maxMemoryBytes)
        }

        if ((obj.maxOutputBytes != null && obj.maxOutputBytes !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.maxOutputBytes)
        }

        if ((obj.owner != null && obj.owner !== '')) {
          w.uint32(82)
          w.string(obj.owner)
        }

        if (obj.ownerAddrs != null && obj.ownerAddrs.length > 0) {
          for (const value of obj.ownerAddrs) {
            w.uint32(90)
            w.string(value)
          }
        }

        if ((obj.stdout != null && obj.stdout !== false)) {
          w.uint32(96)
          w.bool(obj.stdout)
        }

        if (obj.outputFiles != null && obj.outputFiles.length > 0) {
          for (const value of obj.outputFiles) {
            w.uint32(106)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          replicaId: 0,
          jobId: '',
          unitIndex: 0,
          appCid: '',
          args: [],
          inputs: [],
          deadlineMs: 0,
          maxMemoryBytes: 0,
          maxOutputBytes: 0,
          owner: '',
          ownerAddrs: [],
          stdout: false,
          outputFiles: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.replicaId = reader.uint64Number()
              break
            }
            case 2: {
              obj.jobId = reader.string()
              break
            }
            case 3: {
              obj.unitIndex = reader.uint32()
              break
            }
            case 4: {
              obj.appCid = reader.string()
              break
            }
            case 5: {
              if (opts.limits?.args != null && obj.args.length === opts.limits.args) {
                throw new MaxLengthError('Decode error - repeated field "args" had too many elements')
              }

              if (obj.args.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "args" had too many elements')
              }

              obj.args.push(reader.string())
              break
            }
            case 6: {
              if (opts.limits?.inputs != null && obj.inputs.length === opts.limits.inputs) {
                throw new MaxLengthError('Decode error - repeated field "inputs" had too many elements')
              }

              if (obj.inputs.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "inputs" had too many elements')
              }

              obj.inputs.push(UnitInput.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.inputs$
              }))
              break
            }
            case 7: {
              obj.deadlineMs = reader.uint32()
              break
            }
            case 8: {
              obj.maxMemoryBytes = reader.uint64Number()
              break
            }
            case 9: {
              obj.maxOutputBytes = reader.uint64Number()
              break
            }
            case 10: {
              obj.owner = reader.string()
              break
            }
            case 11: {
              if (opts.limits?.ownerAddrs != null && obj.ownerAddrs.length === opts.limits.ownerAddrs) {
                throw new MaxLengthError('Decode error - repeated field "ownerAddrs" had too many elements')
              }

              if (obj.ownerAddrs.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "ownerAddrs" had too many elements')
              }

              obj.ownerAddrs.push(reader.string())
              break
            }
            case 12: {
              obj.stdout = reader.bool()
              break
            }
            case 13: {
              if (opts.limits?.outputFiles != null && obj.outputFiles.length === opts.limits.outputFiles) {
                throw new MaxLengthError('Decode error - repeated field "outputFiles" had too many elements')
              }

              if (obj.outputFiles.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "outputFiles" had too many elements')
              }

              obj.outputFiles.push(reader.string())
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
          args: 256,
          inputs: 256,
          ownerAddrs: 8,
          outputFiles: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.replicaId`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.jobId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.unitIndex`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.appCid`,
                value: reader.string()
              }
              break
            }
            case 5: {
              if (opts.limits?.args != null && obj.args === opts.limits.args) {
                throw new MaxLengthError('Streaming decode error - repeated field "args" had too many elements')
              }

              if (obj.args === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "args" had too many elements')
              }

              yield {
                field: `${prefix}.args[]`,
                index: obj.args,
                value: reader.string()
              }

              obj.args++

              break
            }
            case 6: {
              if (opts.limits?.inputs != null && obj.inputs === opts.limits.inputs) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputs" had too many elements')
              }

              if (obj.inputs === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "inputs" had too many elements')
              }

              for (const evt of UnitInput.codec().stream(reader, reader.uint32(), `${prefix}.inputs[]`, {
                limits: opts.limits?.inputs$
              })) {
                yield {
                  ...evt,
                  index: obj.inputs
                }
              }

              obj.inputs++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.deadlineMs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.maxMemoryBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.maxOutputBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.owner`,
                value: reader.string()
              }
              break
            }
            case 11: {
              if (opts.limits?.ownerAddrs != null && obj.ownerAddrs === opts.limits.ownerAddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "ownerAddrs" had too many elements')
              }

              if (obj.ownerAddrs === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "ownerAddrs" had too many elements')
              }

              yield {
                field: `${prefix}.ownerAddrs[]`,
                index: obj.ownerAddrs,
                value: reader.string()
              }

              obj.ownerAddrs++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.stdout`,
                value: reader.bool()
              }
              break
            }
            case 13: {
              if (opts.limits?.outputFiles != null && obj.outputFiles === opts.limits.outputFiles) {
                throw new MaxLengthError('Streaming decode error - repeated field "outputFiles" had too many elements')
              }

              if (obj.outputFiles === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "outputFiles" had too many elements')
              }

              yield {
                field: `${prefix}.outputFiles[]`,
                index: obj.outputFiles,
                value: reader.string()
              }

              obj.outputFiles++

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

  export interface WorkUnitReplicaIdFieldEvent {
    field: '$.replicaId'
    value: number
  }

  export interface WorkUnitJobIdFieldEvent {
    field: '$.jobId'
    value: string
  }

  export interface WorkUnitUnitIndexFieldEvent {
    field: '$.unitIndex'
    value: number
  }

  export interface WorkUnitAppCidFieldEvent {
    field: '$.appCid'
    value: string
  }

  export interface WorkUnitArgsFieldEvent {
    field: '$.args[]'
    index: number
    value: string
  }

  export interface WorkUnitInputsNameFieldEvent {
    field: '$.inputs[].name'
    value: string
    index: number
  }

  export interface WorkUnitInputsCidFieldEvent {
    field: '$.inputs[].cid'
    value: string
    index: number
  }

  export interface WorkUnitDeadlineMsFieldEvent {
    field: '$.deadlineMs'
    value: number
  }

  export interface WorkUnitMaxMemoryBytesFieldEvent {
    field: '$.maxMemoryBytes'
    value: number
  }

  export interface WorkUnitMaxOutputBytesFieldEvent {
    field: '$.maxOutputBytes'
    value: number
  }

  export interface WorkUnitOwnerFieldEvent {
    field: '$.owner'
    value: string
  }

  export interface WorkUnitOwnerAddrsFieldEvent {
    field: '$.ownerAddrs[]'
    index: number
    value: string
  }

  export interface WorkUnitStdoutFieldEvent {
    field: '$.stdout'
    value: boolean
  }

  export interface WorkUnitOutputFilesFieldEvent {
    field: '$.outputFiles[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<WorkUnit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkUnit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkUnit>): WorkUnit {
    return decodeMessage(buf, WorkUnit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkUnit>): Generator<WorkUnitReplicaIdFieldEvent | WorkUnitJobIdFieldEvent | WorkUnitUnitIndexFieldEvent | WorkUnitAppCidFieldEvent | WorkUnitArgsFieldEvent | WorkUnitInputsNameFieldEvent | WorkUnitInputsCidFieldEvent | WorkUnitDeadlineMsFieldEvent | WorkUnitMaxMemoryBytesFieldEvent | WorkUnitMaxOutputBytesFieldEvent | WorkUnitOwnerFieldEvent | WorkUnitOwnerAddrsFieldEvent | WorkUnitStdoutFieldEvent | WorkUnitOutputFilesFieldEvent> {
    return streamMessage(buf, WorkUnit.codec(), opts)
  }
}

export interface UnitInput {
  name: string
  cid: string
}

export namespace UnitInput {
  let _codec: Codec<UnitInput>

  export const codec = (): Codec<UnitInput> => {
    if (_codec == null) {
      _codec = message<UnitInput>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.cid != null && obj.cid !== '')) {
          w.uint32(18)
          w.string(obj.cid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          cid: ''
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
              obj.cid = reader.string()
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
                field: `${prefix}.cid`,
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

  export interface UnitInputNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface UnitInputCidFieldEvent {
    field: '$.cid'
    value: string
  }

  export function encode (obj: Partial<UnitInput>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnitInput.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnitInput>): UnitInput {
    return decodeMessage(buf, UnitInput.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnitInput>): Generator<UnitInputNameFieldEvent | UnitInputCidFieldEvent> {
    return streamMessage(buf, UnitInput.codec(), opts)
  }
}

export interface WorkResponse {
  version: number
  error: WorkResponse.Error
  message: string
  units: WorkUnit[]
  accepted: number
  retryMs: number
  cancelled: number[]
}

export namespace WorkResponse {
  export enum Error {
    NONE = 'NONE',
    UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
    MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
    MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
    RATE_LIMITED = 'RATE_LIMITED',
    NOT_REGISTERED = 'NOT_REGISTERED',
    REMOVED = 'REMOVED',
    INTERNAL = 'INTERNAL'
  }

  enum __ErrorValues {
    NONE = 0,
    UNSUPPORTED_VERSION = 1,
    MALFORMED_MESSAGE = 2,
    MESSAGE_TOO_LARGE = 3,
    RATE_LIMITED = 4,
    NOT_REGISTERED = 5,
    REMOVED = 6,
    INTERNAL = 7
  }

  export namespace Error {
    export const codec = (): Codec<Error> => {
      return enumeration<Error>(__ErrorValues)
    }
  }

  let _codec: Codec<WorkResponse>

  export const codec = (): Codec<WorkResponse> => {
    if (_codec == null) {
      _codec = message<WorkResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __ErrorValues[obj.error] !== 0) {
          w.uint32(16)
          WorkResponse.Error.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.units != null && obj.units.length > 0) {
          for (const value of obj.units) {
            w.uint32(34)
            WorkUnit.codec().encode(value, w)
          }
        }

        if ((obj.accepted != null && obj.accepted !== 0)) {
          w.uint32(40)
          w.uint32(obj.accepted)
        }

        if ((obj.retryMs != null && obj.retryMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.retryMs)
        }

        if (obj.cancelled != null && obj.cancelled.length > 0) {
          for (const value of obj.cancelled) {
            w.uint32(56)
            w.uint64Number(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: Error.NONE,
          message: '',
          units: [],
          accepted: 0,
          retryMs: 0,
          cancelled: []
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
              obj.error = WorkResponse.Error.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.units != null && obj.units.length === opts.limits.units) {
                throw new MaxLengthError('Decode error - repeated field "units" had too many elements')
              }

              if (obj.units.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "units" had too many elements')
              }

              obj.units.push(WorkUnit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.units$
              }))
              break
            }
            case 5: {
              obj.accepted = reader.uint32()
              break
            }
            case 6: {
              obj.retryMs = reader.uint32()
              break
            }
            case 7: {
              if (opts.limits?.cancelled != null && obj.cancelled.length === opts.limits.cancelled) {
                throw new MaxLengthError('Decode error - repeated field "cancelled" had too many elements')
              }

              if (obj.cancelled.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "cancelled" had too many elements')
              }

              obj.cancelled.push(reader.uint64Number())
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
          units: 64,
          cancelled: 256
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
                field: `${prefix}.error`,
                value: WorkResponse.Error.codec().decode(reader)
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
              if (opts.limits?.units != null && obj.units === opts.limits.units) {
                throw new MaxLengthError('Streaming decode error - repeated field "units" had too many elements')
              }

              if (obj.units === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "units" had too many elements')
              }

              for (const evt of WorkUnit.codec().stream(reader, reader.uint32(), `${prefix}.units[]`, {
                limits: opts.limits?.units$
              })) {
                yield {
                  ...evt,
                  index: obj.units
                }
              }

              obj.units++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.accepted`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.retryMs`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              if (opts.limits?.cancelled != null && obj.cancelled === opts.limits.cancelled) {
                throw new MaxLengthError('Streaming decode error - repeated field "cancelled" had too many elements')
              }

              if (obj.cancelled === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "cancelled" had too many elements')
              }

              yield {
                field: `${prefix}.cancelled[]`,
                index: obj.cancelled,
                value: reader.uint64Number()
              }

              obj.cancelled++

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

  export interface WorkResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface WorkResponseErrorFieldEvent {
    field: '$.error'
    value: WorkResponse.Error
  }

  export interface WorkResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface WorkResponseUnitsReplicaIdFieldEvent {
    field: '$.units[].replicaId'
    value: number
    index: number
  }

  export interface WorkResponseUnitsJobIdFieldEvent {
    field: '$.units[].jobId'
    value: string
    index: number
  }

  export interface WorkResponseUnitsUnitIndexFieldEvent {
    field: '$.units[].unitIndex'
    value: number
    index: number
  }

  export interface WorkResponseUnitsAppCidFieldEvent {
    field: '$.units[].appCid'
    value: string
    index: number
  }

  export interface WorkResponseUnitsArgsFieldEvent {
    field: '$.units[].args[]'
    index: number
    value: string
  }

  export interface WorkResponseUnitsInputsNameFieldEvent {
    field: '$.units[].inputs[].name'
    value: string
    index: number
  }

  export interface WorkResponseUnitsInputsCidFieldEvent {
    field: '$.units[].inputs[].cid'
    value: string
    index: number
  }

  export interface WorkResponseUnitsDeadlineMsFieldEvent {
    field: '$.units[].deadlineMs'
    value: number
    index: number
  }

  export interface WorkResponseUnitsMaxMemoryBytesFieldEvent {
    field: '$.units[].maxMemoryBytes'
    value: number
    index: number
  }

  export interface WorkResponseUnitsMaxOutputBytesFieldEvent {
    field: '$.units[].maxOutputBytes'
    value: number
    index: number
  }

  export interface WorkResponseUnitsOwnerFieldEvent {
    field: '$.units[].owner'
    value: string
    index: number
  }

  export interface WorkResponseUnitsOwnerAddrsFieldEvent {
    field: '$.units[].ownerAddrs[]'
    index: number
    value: string
  }

  export interface WorkResponseUnitsStdoutFieldEvent {
    field: '$.units[].stdout'
    value: boolean
    index: number
  }

  export interface WorkResponseUnitsOutputFilesFieldEvent {
    field: '$.units[].outputFiles[]'
    index: number
    value: string
  }

  export interface WorkResponseAcceptedFieldEvent {
    field: '$.accepted'
    value: number
  }

  export interface WorkResponseRetryMsFieldEvent {
    field: '$.retryMs'
    value: number
  }

  export interface WorkResponseCancelledFieldEvent {
    field: '$.cancelled[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<WorkResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkResponse>): WorkResponse {
    return decodeMessage(buf, WorkResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkResponse>): Generator<WorkResponseVersionFieldEvent | WorkResponseErrorFieldEvent | WorkResponseMessageFieldEvent | WorkResponseUnitsReplicaIdFieldEvent | WorkResponseUnitsJobIdFieldEvent | WorkResponseUnitsUnitIndexFieldEvent | WorkResponseUnitsAppCidFieldEvent | WorkResponseUnitsArgsFieldEvent | WorkResponseUnitsInputsNameFieldEvent | WorkResponseUnitsInputsCidFieldEvent | WorkResponseUnitsDeadlineMsFieldEvent | WorkResponseUnitsMaxMemoryBytesFieldEvent | WorkResponseUnitsMaxOutputBytesFieldEvent | WorkResponseUnitsOwnerFieldEvent | WorkResponseUnitsOwnerAddrsFieldEvent | WorkResponseUnitsStdoutFieldEvent | WorkResponseUnitsOutputFilesFieldEvent | WorkResponseAcceptedFieldEvent | WorkResponseRetryMsFieldEvent | WorkResponseCancelledFieldEvent> {
    return streamMessage(buf, WorkResponse.codec(), opts)
  }
}
