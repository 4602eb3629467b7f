import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface VirtualServerEntry {
  peerId: string
  addrs: string[]
  members: string[]
  limit: number
}

export namespace VirtualServerEntry {
  let _codec: Codec<VirtualServerEntry>

  export const codec = (): Codec<VirtualServerEntry> => {
    if (_codec == null) {
      _codec = message<VirtualServerEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(32)
          w.uint32(obj.limit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          addrs: [],
          members: [],
          limit: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              if (obj.members.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.string())
              break
            }
            case 4: {
              obj.limit = reader.uint32()
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
          addrs: 16,
          members: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              if (obj.members === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.string()
              }

              obj.members++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.limit`,
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

  export interface VirtualServerEntryPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface VirtualServerEntryAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface VirtualServerEntryMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: string
  }

  export interface VirtualServerEntryLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export function encode (obj: Partial<VirtualServerEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VirtualServerEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VirtualServerEntry>): VirtualServerEntry {
    return decodeMessage(buf, VirtualServerEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VirtualServerEntry>): Generator<VirtualServerEntryPeerIdFieldEvent | VirtualServerEntryAddrsFieldEvent | VirtualServerEntryMembersFieldEvent | VirtualServerEntryLimitFieldEvent> {
    return streamMessage(buf, VirtualServerEntry.codec(), opts)
  }
}

export interface SubnetTable {
  version: number
  seq: number
  subnet: string
  issuedAt: number
  servers: VirtualServerEntry[]
  centralClients: string[]
}

export namespace SubnetTable {
  let _codec: Codec<SubnetTable>

  export const codec = (): Codec<SubnetTable> => {
    if (_codec == null) {
      _codec = message<SubnetTable>((obj, w, opts = {}) => {
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

        if ((obj.subnet != null && obj.subnet !== '')) {
          w.uint32(26)
          w.string(obj.subnet)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.issuedAt)
        }

        if (obj.servers != null && obj.servers.length > 0) {
          for (const value of obj.servers) {
            w.uint32(42)
            VirtualServerEntry.codec().encode(value, w)
          }
        }

        if (obj.centralClients != null && obj.centralClients.length > 0) {
          for (const value of obj.centralClients) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          seq: 0,
          subnet: '',
          issuedAt: 0,
          servers: [],
          centralClients: []
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
              obj.subnet = reader.string()
              break
            }
            case 4: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 5: {
              if (opts.limits?.servers != null && obj.servers.length === opts.limits.servers) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              if (obj.servers.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              obj.servers.push(VirtualServerEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.servers$
              }))
              break
            }
            case 6: {
              if (opts.limits?.centralClients != null && obj.centralClients.length === opts.limits.centralClients) {
                throw new MaxLengthError('Decode error - repeated field "centralClients" had too many elements')
              }

              if (obj.centralClients.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "centralClients" had too many elements')
              }

              obj.centralClients.push(reader.string())
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
          servers: 4096,
          centralClients: 4096
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
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.subnet`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              if (opts.limits?.servers != null && obj.servers === opts.limits.servers) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              if (obj.servers === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              for (const evt of VirtualServerEntry.codec().stream(reader, reader.uint32(), `${prefix}.servers[]`, {
                limits: opts.limits?.servers$
              })) {
                yield {
                  ...evt,
                  index: obj.servers
                }
              }

              obj.servers++

              break
            }
            case 6: {
              if (opts.limits?.centralClients != null && obj.centralClients === opts.limits.centralClients) {
                throw new MaxLengthError('Streaming decode error - repeated field "centralClients" had too many elements')
              }

              if (obj.centralClients === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "centralClients" had too many elements')
              }

              yield {
                field: `${prefix}.centralClients[]`,
                index: obj.centralClients,
                value: reader.string()
              }

              obj.centralClients++

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

  export interface SubnetTableVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SubnetTableSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface SubnetTableSubnetFieldEvent {
    field: '$.subnet'
    value: string
  }

  export interface SubnetTableIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface SubnetTableServersPeerIdFieldEvent {
    field: '$.servers[].peerId'
    value: string
    index: number
  }

  export interface SubnetTableServersAddrsFieldEvent {
    field: '$.servers[].addrs[]'
    index: number
    value: string
  }

  export interface SubnetTableServersMembersFieldEvent {
    field: '$.servers[].members[]'
    index: number
    value: string
  }

  export interface SubnetTableServersLimitFieldEvent {
    field: '$.servers[].limit'
    value: number
    index: number
  }

  export interface SubnetTableCentralClientsFieldEvent {
    field: '$.centralClients[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<SubnetTable>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SubnetTable.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubnetTable>): SubnetTable {
    return decodeMessage(buf, SubnetTable.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SubnetTable>): Generator<SubnetTableVersionFieldEvent | SubnetTableSeqFieldEvent | SubnetTableSubnetFieldEvent | SubnetTableIssuedAtFieldEvent | SubnetTableServersPeerIdFieldEvent | SubnetTableServersAddrsFieldEvent | SubnetTableServersMembersFieldEvent | SubnetTableServersLimitFieldEvent | SubnetTableCentralClientsFieldEvent> {
    return streamMessage(buf, SubnetTable.codec(), opts)
  }
}

export interface AssignmentAck {
  seq: number
}

export namespace AssignmentAck {
  let _codec: Codec<AssignmentAck>

  export const codec = (): Codec<AssignmentAck> => {
    if (_codec == null) {
      _codec = message<AssignmentAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64Number()
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
                field: `${prefix}.seq`,
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

  export interface AssignmentAckSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<AssignmentAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AssignmentAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AssignmentAck>): AssignmentAck {
    return decodeMessage(buf, AssignmentAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AssignmentAck>): Generator<AssignmentAckSeqFieldEvent> {
    return streamMessage(buf, AssignmentAck.codec(), opts)
  }
}

export interface DirectoryEntry {
  peerId: string
  addrs: string[]
  subnet: string
}

export namespace DirectoryEntry {
  let _codec: Codec<DirectoryEntry>

  export const codec = (): Codec<DirectoryEntry> => {
    if (_codec == null) {
      _codec = message<DirectoryEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.subnet != null && obj.subnet !== '')) {
          w.uint32(26)
          w.string(obj.subnet)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          addrs: [],
          subnet: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 3: {
              obj.subnet = reader.string()
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
          addrs: 8
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              if (obj.addrs === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.subnet`,
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

  export interface DirectoryEntryPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface DirectoryEntryAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface DirectoryEntrySubnetFieldEvent {
    field: '$.subnet'
    value: string
  }

  export function encode (obj: Partial<DirectoryEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectoryEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryEntry>): DirectoryEntry {
    return decodeMessage(buf, DirectoryEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectoryEntry>): Generator<DirectoryEntryPeerIdFieldEvent | DirectoryEntryAddrsFieldEvent | DirectoryEntrySubnetFieldEvent> {
    return streamMessage(buf, DirectoryEntry.codec(), opts)
  }
}

export interface Directory {
  version: number
  seq: number
  issuedAt: number
  servers: DirectoryEntry[]
}

export namespace Directory {
  let _codec: Codec<Directory>

  export const codec = (): Codec<Directory> => {
    if (_codec == null) {
      _codec = message<Directory>((obj, w, opts = {}) => {
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

        if (obj.servers != null && obj.servers.length > 0) {
          for (const value of obj.servers) {
            w.uint32(34)
            DirectoryEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          seq: 0,
          issuedAt: 0,
          servers: []
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
              if (opts.limits?.servers != null && obj.servers.length === opts.limits.servers) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              if (obj.servers.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              obj.servers.push(DirectoryEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.servers$
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
          servers: 4096
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
              if (opts.limits?.servers != null && obj.servers === opts.limits.servers) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              if (obj.servers === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              for (const evt of DirectoryEntry.codec().stream(reader, reader.uint32(), `${prefix}.servers[]`, {
                limits: opts.limits?.servers$
              })) {
                yield {
                  ...evt,
                  index: obj.servers
                }
              }

              obj.servers++

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

  export interface DirectoryVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DirectorySeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface DirectoryIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface DirectoryServersPeerIdFieldEvent {
    field: '$.servers[].peerId'
    value: string
    index: number
  }

  export interface DirectoryServersAddrsFieldEvent {
    field: '$.servers[].addrs[]'
    index: number
    value: string
  }

  export interface DirectoryServersSubnetFieldEvent {
    field: '$.servers[].subnet'
    value: string
    index: number
  }

  export function encode (obj: Partial<Directory>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Directory.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Directory>): Directory {
    return decodeMessage(buf, Directory.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Directory>): Generator<DirectoryVersionFieldEvent | DirectorySeqFieldEvent | DirectoryIssuedAtFieldEvent | DirectoryServersPeerIdFieldEvent | DirectoryServersAddrsFieldEvent | DirectoryServersSubnetFieldEvent> {
    return streamMessage(buf, Directory.codec(), opts)
  }
}
