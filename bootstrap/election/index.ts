export { Election } from './election.js'
export type { ElectionInit } from './election.js'
export { rankHosts } from './host-rank.js'
export type { Candidate, ElectionChange, Group, Placement, Role, SubnetState } from './types.js'
