import { WIRE_VERSION } from './constants.js'
import { ASSIGNMENT_TOPIC_PREFIX, MAX_TABLE_BYTES } from '../protocols/assignment.js'
import { MalformedMessageError, MessageTooLargeError, UnsupportedVersionError } from './errors.js'
import { AssignmentAck, Directory, SubnetTable } from '../pb/assignment.js'
import type { Codec } from './rpc.js'

export { AssignmentAck, Directory, SubnetTable }

/** The gossipsub topic carrying one subnet's table. */
export function assignmentTopic (subnet: string): string {
  return ASSIGNMENT_TOPIC_PREFIX + subnet
}

const LIMITS = { servers: 4096, centralClients: 4096, servers$: { addrs: 16, members: 4096 } }

/** Decodes a table from the network, enforcing size, count and version limits. */
export function decodeSubnetTable (bytes: Uint8Array): SubnetTable {
  if (bytes.byteLength > MAX_TABLE_BYTES) throw new MessageTooLargeError(`subnet table of ${bytes.byteLength} bytes exceeds ${MAX_TABLE_BYTES}`)
  let table: SubnetTable
  try {
    table = SubnetTable.decode(bytes, { limits: LIMITS })
  } catch (err: any) {
    throw new MalformedMessageError(`malformed subnet table: ${err.message}`)
  }
  if (table.version !== WIRE_VERSION) throw new UnsupportedVersionError(`subnet table version ${table.version} is not supported (expected ${WIRE_VERSION})`)
  return table
}

export function encodeSubnetTable (table: SubnetTable): Uint8Array<ArrayBuffer> {
  const bytes = SubnetTable.encode(table) as Uint8Array<ArrayBuffer>
  if (bytes.byteLength > MAX_TABLE_BYTES) throw new MessageTooLargeError(`subnet table of ${bytes.byteLength} bytes exceeds ${MAX_TABLE_BYTES}`)
  return bytes
}

/** Where one peer stands according to a table. */
export function placeIn (table: SubnetTable, peerId: string): { role: 'virtual-server' | 'member' | 'central-client', virtualServer: string | null, members: string[], virtualServerAddrs: string[] } | undefined {
  for (const s of table.servers) {
    if (s.peerId === peerId) return { role: 'virtual-server', virtualServer: peerId, members: [...s.members], virtualServerAddrs: s.addrs }
    if (s.members.includes(peerId)) return { role: 'member', virtualServer: s.peerId, members: [], virtualServerAddrs: s.addrs }
  }
  if (table.centralClients.includes(peerId)) return { role: 'central-client', virtualServer: null, members: [], virtualServerAddrs: [] }
  return undefined
}

/** SubnetTable as a request codec that enforces the network limits when decoding. */
export const checkedSubnetTable: Codec<SubnetTable> = {
  encode: encodeSubnetTable,
  decode: buf => decodeSubnetTable(buf instanceof Uint8Array ? buf : buf.subarray())
}

const DIRECTORY_LIMITS = { servers: 4096, servers$: { addrs: 8 } }

/** Decodes the directory of virtual servers from the network, with the same limits as a table. */
export function decodeDirectory (bytes: Uint8Array): Directory {
  if (bytes.byteLength > MAX_TABLE_BYTES) throw new MessageTooLargeError(`directory of ${bytes.byteLength} bytes exceeds ${MAX_TABLE_BYTES}`)
  let directory: Directory
  try {
    directory = Directory.decode(bytes, { limits: DIRECTORY_LIMITS })
  } catch (err: any) {
    throw new MalformedMessageError(`malformed directory: ${err.message}`)
  }
  if (directory.version !== WIRE_VERSION) throw new UnsupportedVersionError(`directory version ${directory.version} is not supported (expected ${WIRE_VERSION})`)
  return directory
}

export function encodeDirectory (directory: Directory): Uint8Array<ArrayBuffer> {
  const bytes = Directory.encode(directory) as Uint8Array<ArrayBuffer>
  if (bytes.byteLength > MAX_TABLE_BYTES) throw new MessageTooLargeError(`directory of ${bytes.byteLength} bytes exceeds ${MAX_TABLE_BYTES}`)
  return bytes
}
