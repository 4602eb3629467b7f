import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SearchRequest {
  version: number
  words: string[]
  limit: number
  wantServers: boolean
  forward: boolean
  forwardTimeoutMs: number
}

export namespace SearchRequest {
  let _codec: Codec<SearchRequest>

  export const codec = (): Codec<SearchRequest> => {
    if (_codec == null) {
      _codec = message<SearchRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.words != null && obj.words.length > 0) {
          for (const value of obj.words) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(24)
          w.uint32(obj.limit)
        }

        if ((obj.wantServers != null && obj.wantServers !== false)) {
          w.uint32(32)
          w.bool(obj.wantServers)
        }

        if ((obj.forward != null && obj.forward !== false)) {
          w.uint32(40)
          w.bool(obj.forward)
        }

        if ((obj.forwardTimeoutMs != null && obj.forwardTimeoutMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.forwardTimeoutMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          words: [],
          limit: 0,
          wantServers: false,
          forward: false,
          forwardTimeoutMs: 0
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
              if (opts.limits?.words != null && obj.words.length === opts.limits.words) {
                throw new MaxLengthError('Decode error - repeated field "words" had too many elements')
              }

              if (obj.words.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "words" had too many elements')
              }

              obj.words.push(reader.string())
              break
            }
            case 3: {
              obj.limit = reader.uint32()
              break
            }
            case 4: {
              obj.wantServers = reader.bool()
              break
            }
            case 5: {
              obj.forward = reader.bool()
              break
            }
            case 6: {
              obj.forwardTimeoutMs = reader.uint32()
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
          words: 16
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
              if (opts.limits?.words != null && obj.words === opts.limits.words) {
                throw new MaxLengthError('Streaming decode error - repeated field "words" had too many elements')
              }

              if (obj.words === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "words" had too many elements')
              }

              yield {
                field: `${prefix}.words[]`,
                index: obj.words,
                value: reader.string()
              }

              obj.words++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.wantServers`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.forward`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.forwardTimeoutMs`,
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

  export interface SearchRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SearchRequestWordsFieldEvent {
    field: '$.words[]'
    index: number
    value: string
  }

  export interface SearchRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface SearchRequestWantServersFieldEvent {
    field: '$.wantServers'
    value: boolean
  }

  export interface SearchRequestForwardFieldEvent {
    field: '$.forward'
    value: boolean
  }

  export interface SearchRequestForwardTimeoutMsFieldEvent {
    field: '$.forwardTimeoutMs'
    value: number
  }

  export function encode (obj: Partial<SearchRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SearchRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SearchRequest>): SearchRequest {
    return decodeMessage(buf, SearchRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SearchRequest>): Generator<SearchRequestVersionFieldEvent | SearchRequestWordsFieldEvent | SearchRequestLimitFieldEvent | SearchRequestWantServersFieldEvent | SearchRequestForwardFieldEvent | SearchRequestForwardTimeoutMsFieldEvent> {
    return streamMessage(buf, SearchRequest.codec(), opts)
  }
}

export interface SearchHit {
  entry?: FileEntry
  provider: string
  providerAddrs: string[]
}

export namespace SearchHit {
  let _codec: Codec<SearchHit>

  export const codec = (): Codec<SearchHit> => {
    if (_codec == null) {
      _codec = message<SearchHit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entry != null) {
          w.uint32(10)
          FileEntry.codec().encode(obj.entry, w)
        }

        if ((obj.provider != null && obj.provider !== '')) {
          w.uint32(18)
          w.string(obj.provider)
        }

        if (obj.providerAddrs != null && obj.providerAddrs.length > 0) {
          for (const value of obj.providerAddrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          provider: '',
          providerAddrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.entry = FileEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entry
              })
              break
            }
            case 2: {
              obj.provider = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.providerAddrs != null && obj.providerAddrs.length === opts.limits.providerAddrs) {
                throw new MaxLengthError('Decode error - repeated field "providerAddrs" had too many elements')
              }

              if (obj.providerAddrs.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "providerAddrs" had too many elements')
              }

              obj.providerAddrs.push(reader.string())
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
          providerAddrs: 8
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * FileEntry.codec().stream(reader, reader.uint32(), `${prefix}.entry`, {
                limits: opts.limits?.entry
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.provider`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.providerAddrs != null && obj.providerAddrs === opts.limits.providerAddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "providerAddrs" had too many elements')
              }

              if (obj.providerAddrs === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "providerAddrs" had too many elements')
              }

              yield {
                field: `${prefix}.providerAddrs[]`,
                index: obj.providerAddrs,
                value: reader.string()
              }

              obj.providerAddrs++

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

  export interface SearchHitEntryCidFieldEvent {
    field: '$.entry.cid'
    value: string
  }

  export interface SearchHitEntryFilenameFieldEvent {
    field: '$.entry.filename'
    value: string
  }

  export interface SearchHitEntryDirectoryFieldEvent {
    field: '$.entry.directory'
    value: string
  }

  export interface SearchHitEntrySizeFieldEvent {
    field: '$.entry.size'
    value: number
  }

  export interface SearchHitEntryTitleFieldEvent {
    field: '$.entry.title'
    value: string
  }

  export interface SearchHitEntryKeywordsFieldEvent {
    field: '$.entry.keywords[]'
    index: number
    value: string
  }

  export interface SearchHitEntryUserSerialIdFieldEvent {
    field: '$.entry.userSerialId'
    value: number
  }

  export interface SearchHitEntryUseridFieldEvent {
    field: '$.entry.userid'
    value: string
  }

  export interface SearchHitProviderFieldEvent {
    field: '$.provider'
    value: string
  }

  export interface SearchHitProviderAddrsFieldEvent {
    field: '$.providerAddrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<SearchHit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SearchHit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SearchHit>): SearchHit {
    return decodeMessage(buf, SearchHit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SearchHit>): Generator<SearchHitEntryCidFieldEvent | SearchHitEntryFilenameFieldEvent | SearchHitEntryDirectoryFieldEvent | SearchHitEntrySizeFieldEvent | SearchHitEntryTitleFieldEvent | SearchHitEntryKeywordsFieldEvent | SearchHitEntryUserSerialIdFieldEvent | SearchHitEntryUseridFieldEvent | SearchHitProviderFieldEvent | SearchHitProviderAddrsFieldEvent> {
    return streamMessage(buf, SearchHit.codec(), opts)
  }
}

export interface ServerRef {
  peerId: string
  addrs: string[]
  subnet: string
}

export namespace ServerRef {
  let _codec: Codec<ServerRef>

  export const codec = (): Codec<ServerRef> => {
    if (_codec == null) {
      _codec = message<ServerRef>((obj, w, opts = {}) => {
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

  export interface ServerRefPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface ServerRefAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export interface ServerRefSubnetFieldEvent {
    field: '$.subnet'
    value: string
  }

  export function encode (obj: Partial<ServerRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ServerRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ServerRef>): ServerRef {
    return decodeMessage(buf, ServerRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ServerRef>): Generator<ServerRefPeerIdFieldEvent | ServerRefAddrsFieldEvent | ServerRefSubnetFieldEvent> {
    return streamMessage(buf, ServerRef.codec(), opts)
  }
}

export enum SearchError {
  NONE = 'NONE',
  UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
  MALFORMED_MESSAGE = 'MALFORMED_MESSAGE',
  MESSAGE_TOO_LARGE = 'MESSAGE_TOO_LARGE',
  RATE_LIMITED = 'RATE_LIMITED',
  NOT_A_SERVER = 'NOT_A_SERVER'
}

enum __SearchErrorValues {
  NONE = 0,
  UNSUPPORTED_VERSION = 1,
  MALFORMED_MESSAGE = 2,
  MESSAGE_TOO_LARGE = 3,
  RATE_LIMITED = 4,
  NOT_A_SERVER = 5
}

export namespace SearchError {
  export const codec = (): Codec<SearchError> => {
    return enumeration<SearchError>(__SearchErrorValues)
  }
}

export interface SearchResponse {
  version: number
  error: SearchError
  message: string
  hits: SearchHit[]
  servers: ServerRef[]
  serversRouted: boolean
  centralMayMatch: boolean
  forwarded: boolean
  remoteHits: SearchHit[]
  serversAsked: number
  serversAnswered: number
  serversDone: number
  sessionOpen: boolean
}

export namespace SearchResponse {
  let _codec: Codec<SearchResponse>

  export const codec = (): Codec<SearchResponse> => {
    if (_codec == null) {
      _codec = message<SearchResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.error != null && __SearchErrorValues[obj.error] !== 0) {
          w.uint32(16)
          SearchError.codec().encode(obj.error, w)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(26)
          w.string(obj.message)
        }

        if (obj.hits != null && obj.hits.length > 0) {
          for (const value of obj.hits) {
            w.uint32(34)
            SearchHit.codec().encode(value, w)
          }
        }

        if (obj.servers != null && obj.servers.length > 0) {
          for (const value of obj.servers) {
            w.uint32(42)
            ServerRef.codec().encode(value, w)
          }
        }

        if ((obj.serversRouted != null && obj.serversRouted !== false)) {
          w.uint32(48)
          w.bool(obj.serversRouted)
        }

        if ((obj.centralMayMatch != null && obj.centralMayMatch !== false)) {
          w.uint32(56)
          w.bool(obj.centralMayMatch)
        }

        if ((obj.forwarded != null && obj.forwarded !== false)) {
          w.uint32(64)
          w.bool(obj.forwarded)
        }

        if (obj.remoteHits != null && obj.remoteHits.length > 0) {
          for (const value of obj.remoteHits) {
            w.uint32(74)
            SearchHit.codec().encode(value, w)
          }
        }

        if ((obj.serversAsked != null && obj.serversAsked !== 0)) {
          w.uint32(80)
          w.uint32(obj.serversAsked)
        }

        if ((obj.serversAnswered != null && obj.serversAnswered !== 0)) {
          w.uint32(88)
          w.uint32(obj.serversAnswered)
        }

        if ((obj.serversDone != null && obj.serversDone !== 0)) {
          w.uint32(96)
          w.uint32(obj.serversDone)
        }

        if ((obj.sessionOpen != null && obj.sessionOpen !== false)) {
          w.uint32(104)
          w.bool(obj.sessionOpen)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          error: SearchError.NONE,
          message: '',
          hits: [],
          servers: [],
          serversRouted: false,
          centralMayMatch: false,
          forwarded: false,
          remoteHits: [],
          serversAsked: 0,
          serversAnswered: 0,
          serversDone: 0,
          sessionOpen: false
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
              obj.error = SearchError.codec().decode(reader)
              break
            }
            case 3: {
              obj.message = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.hits != null && obj.hits.length === opts.limits.hits) {
                throw new MaxLengthError('Decode error - repeated field "hits" had too many elements')
              }

              if (obj.hits.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "hits" had too many elements')
              }

              obj.hits.push(SearchHit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hits$
              }))
              break
            }
            case 5: {
              if (opts.limits?.servers != null && obj.servers.length === opts.limits.servers) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              if (obj.servers.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "servers" had too many elements')
              }

              obj.servers.push(ServerRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.servers$
              }))
              break
            }
            case 6: {
              obj.serversRouted = reader.bool()
              break
            }
            case 7: {
              obj.centralMayMatch = reader.bool()
              break
            }
            case 8: {
              obj.forwarded = reader.bool()
              break
            }
            case 9: {
              if (opts.limits?.remoteHits != null && obj.remoteHits.length === opts.limits.remoteHits) {
                throw new MaxLengthError('Decode error - repeated field "remoteHits" had too many elements')
              }

              if (obj.remoteHits.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "remoteHits" had too many elements')
              }

              obj.remoteHits.push(SearchHit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.remoteHits$
              }))
              break
            }
            case 10: {
              obj.serversAsked = reader.uint32()
              break
            }
            case 11: {
              obj.serversAnswered = reader.uint32()
              break
            }
            case 12: {
              obj.serversDone = reader.uint32()
              break
            }
            case 13: {
              obj.sessionOpen = reader.bool()
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
          hits: 256,
          servers: 1024,
          remoteHits: 256
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
                value: SearchError.codec().decode(reader)
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
              if (opts.limits?.hits != null && obj.hits === opts.limits.hits) {
                throw new MaxLengthError('Streaming decode error - repeated field "hits" had too many elements')
              }

              if (obj.hits === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "hits" had too many elements')
              }

              for (const evt of SearchHit.codec().stream(reader, reader.uint32(), `${prefix}.hits[]`, {
                limits: opts.limits?.hits$
              })) {
                yield {
                  ...evt,
                  index: obj.hits
                }
              }

              obj.hits++

              break
            }
            case 5: {
              if (opts.limits?.servers != null && obj.servers === opts.limits.servers) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              if (obj.servers === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "servers" had too many elements')
              }

              for (const evt of ServerRef.codec().stream(reader, reader.uint32(), `${prefix}.servers[]`, {
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
              yield {
                field: `${prefix}.serversRouted`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.centralMayMatch`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.forwarded`,
                value: reader.bool()
              }
              break
            }
            case 9: {
              if (opts.limits?.remoteHits != null && obj.remoteHits === opts.limits.remoteHits) {
                throw new MaxLengthError('Streaming decode error - repeated field "remoteHits" had too many elements')
              }

              if (obj.remoteHits === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "remoteHits" had too many elements')
              }

              for (const evt of SearchHit.codec().stream(reader, reader.uint32(), `${prefix}.remoteHits[]`, {
                limits: opts.limits?.remoteHits$
              })) {
                yield {
                  ...evt,
                  index: obj.remoteHits
                }
              }

              obj.remoteHits++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.serversAsked`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.serversAnswered`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.serversDone`,
                value: reader.uint32()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.sessionOpen`,
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

  export interface SearchResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SearchResponseErrorFieldEvent {
    field: '$.error'
    value: SearchError
  }

  export interface SearchResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface SearchResponseHitsEntryCidFieldEvent {
    field: '$.hits[].entry.cid'
    value: string
    index: number
  }

  export interface SearchResponseHitsEntryFilenameFieldEvent {
    field: '$.hits[].entry.filename'
    value: string
    index: number
  }

  export interface SearchResponseHitsEntryDirectoryFieldEvent {
    field: '$.hits[].entry.directory'
    value: string
    index: number
  }

  export interface SearchResponseHitsEntrySizeFieldEvent {
    field: '$.hits[].entry.size'
    value: number
    index: number
  }

  export interface SearchResponseHitsEntryTitleFieldEvent {
    field: '$.hits[].entry.title'
    value: string
    index: number
  }

  export interface SearchResponseHitsEntryKeywordsFieldEvent {
    field: '$.hits[].entry.keywords[]'
    index: number
    value: string
  }

  export interface SearchResponseHitsEntryUserSerialIdFieldEvent {
    field: '$.hits[].entry.userSerialId'
    value: number
    index: number
  }

  export interface SearchResponseHitsEntryUseridFieldEvent {
    field: '$.hits[].entry.userid'
    value: string
    index: number
  }

  export interface SearchResponseHitsProviderFieldEvent {
    field: '$.hits[].provider'
    value: string
    index: number
  }

  export interface SearchResponseHitsProviderAddrsFieldEvent {
    field: '$.hits[].providerAddrs[]'
    index: number
    value: string
  }

  export interface SearchResponseServersPeerIdFieldEvent {
    field: '$.servers[].peerId'
    value: string
    index: number
  }

  export interface SearchResponseServersAddrsFieldEvent {
    field: '$.servers[].addrs[]'
    index: number
    value: string
  }

  export interface SearchResponseServersSubnetFieldEvent {
    field: '$.servers[].subnet'
    value: string
    index: number
  }

  export interface SearchResponseServersRoutedFieldEvent {
    field: '$.serversRouted'
    value: boolean
  }

  export interface SearchResponseCentralMayMatchFieldEvent {
    field: '$.centralMayMatch'
    value: boolean
  }

  export interface SearchResponseForwardedFieldEvent {
    field: '$.forwarded'
    value: boolean
  }

  export interface SearchResponseRemoteHitsEntryCidFieldEvent {
    field: '$.remoteHits[].entry.cid'
    value: string
    index: number
  }

  export interface SearchResponseRemoteHitsEntryFilenameFieldEvent {
    field: '$.remoteHits[].entry.filename'
    value: string
    index: number
  }

  export interface SearchResponseRemoteHitsEntryDirectoryFieldEvent {
    field: '$.remoteHits[].entry.directory'
    value: string
    index: number
  }

  export interface SearchResponseRemoteHitsEntrySizeFieldEvent {
    field: '$.remoteHits[].entry.size'
    value: number
    index: number
  }

  export interface SearchResponseRemoteHitsEntryTitleFieldEvent {
    field: '$.remoteHits[].entry.title'
    value: string
    index: number
  }

  export interface SearchResponseRemoteHitsEntryKeywordsFieldEvent {
    field: '$.remoteHits[].entry.keywords[]'
    index: number
    value: string
  }

  export interface SearchResponseRemoteHitsEntryUserSerialIdFieldEvent {
    field: '$.remoteHits[].entry.userSerialId'
    value: number
    index: number
  }

  export interface SearchResponseRemoteHitsEntryUseridFieldEvent {
    field: '$.remoteHits[].entry.userid'
    value: string
    index: number
  }

  export interface SearchResponseRemoteHitsProviderFieldEvent {
    field: '$.remoteHits[].provider'
    value: string
    index: number
  }

  export interface SearchResponseRemoteHitsProviderAddrsFieldEvent {
    field: '$.remoteHits[].providerAddrs[]'
    index: number
    value: string
  }

  export interface SearchResponseServersAskedFieldEvent {
    field: '$.serversAsked'
    value: number
  }

  export interface SearchResponseServersAnsweredFieldEvent {
    field: '$.serversAnswered'
    value: number
  }

  export interface SearchResponseServersDoneFieldEvent {
    field: '$.serversDone'
    value: number
  }

  export interface SearchResponseSessionOpenFieldEvent {
    field: '$.sessionOpen'
    value: boolean
  }

  export function encode (obj: Partial<SearchResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SearchResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SearchResponse>): SearchResponse {
    return decodeMessage(buf, SearchResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SearchResponse>): Generator<SearchResponseVersionFieldEvent | SearchResponseErrorFieldEvent | SearchResponseMessageFieldEvent | SearchResponseHitsEntryCidFieldEvent | SearchResponseHitsEntryFilenameFieldEvent | SearchResponseHitsEntryDirectoryFieldEvent | SearchResponseHitsEntrySizeFieldEvent | SearchResponseHitsEntryTitleFieldEvent | SearchResponseHitsEntryKeywordsFieldEvent | SearchResponseHitsEntryUserSerialIdFieldEvent | SearchResponseHitsEntryUseridFieldEvent | SearchResponseHitsProviderFieldEvent | SearchResponseHitsProviderAddrsFieldEvent | SearchResponseServersPeerIdFieldEvent | SearchResponseServersAddrsFieldEvent | SearchResponseServersSubnetFieldEvent | SearchResponseServersRoutedFieldEvent | SearchResponseCentralMayMatchFieldEvent | SearchResponseForwardedFieldEvent | SearchResponseRemoteHitsEntryCidFieldEvent | SearchResponseRemoteHitsEntryFilenameFieldEvent | SearchResponseRemoteHitsEntryDirectoryFieldEvent | SearchResponseRemoteHitsEntrySizeFieldEvent | SearchResponseRemoteHitsEntryTitleFieldEvent | SearchResponseRemoteHitsEntryKeywordsFieldEvent | SearchResponseRemoteHitsEntryUserSerialIdFieldEvent | SearchResponseRemoteHitsEntryUseridFieldEvent | SearchResponseRemoteHitsProviderFieldEvent | SearchResponseRemoteHitsProviderAddrsFieldEvent | SearchResponseServersAskedFieldEvent | SearchResponseServersAnsweredFieldEvent | SearchResponseServersDoneFieldEvent | SearchResponseSessionOpenFieldEvent> {
    return streamMessage(buf, SearchResponse.codec(), opts)
  }
}

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
