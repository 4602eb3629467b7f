/**
 * The contract of subnet tables and the directory (protocols/assignment.md):
 * the /peerhive/assignment/1.0.0 push and the gossip topics, in one place
 * for the bootstrap that publishes them and the peers that follow them
 * (src/topology).
 */
export type { DirectoryEntry } from '../pb/assignment.js'

/** The bootstrap pushes a subnet table straight to a peer whose place changed. */
export const PROTOCOL_ASSIGNMENT = '/peerhive/assignment/1.0.0'
/** Assignments of one subnet are published on this prefix + the subnet's CIDR. */
export const ASSIGNMENT_TOPIC_PREFIX = '/peerhive/assignments/1/'
/** Every virtual server of the network, published by the bootstrap. */
export const DIRECTORY_TOPIC = '/peerhive/directory/1'
/** Largest subnet table or directory, pushed or published. */
export const MAX_TABLE_BYTES = 256 * 1024
/** Largest acknowledgement of a pushed table. */
export const MAX_ACK_BYTES = 64
/** Longest a pushed assignment may take, either side. */
export const ASSIGNMENT_TIMEOUT_MS = 5_000
