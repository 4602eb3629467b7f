export { CentralTables } from './central-tables.js'
export type { PeerRecord, SavedTable, VirtualServerRow } from './central-tables.js'
