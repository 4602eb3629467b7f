/**
 * The bootstrap's side of volunteer computing (WORK-1, WORK-3, WORK-5,
 * WORK-8, WORK-9): the work manager and its SQLite tables, and the libp2p
 * handlers of /peerhive/work/1.0.0 and /peerhive/jobs/1.0.0.
 */
export { ComputeStore } from './store.js'
export type { JobRow, ReplicaRow, ProviderRow, UserRow } from './store.js'
export { ComputeScheduler } from './scheduler.js'
export type { Assignment, Caller, FetchAnswer, ReportAnswer, ReportItem, ReportOutcome, ScheduleMode, SchedulerCounters, SchedulerOptions } from './scheduler.js'
export type { ProviderHello, ProviderHostInfo } from './model.js'
export { ComputeRefusal } from './errors.js'
export type { RefusalCode } from './errors.js'
export { providerLevel, median, isScarce } from './priority.js'
export { quorumVerdict, replicasWanted } from './quorum.js'
export { UnitQueue } from './unit-queue.js'
export * from './constants.js'

export { ComputeServer } from './compute-server.js'
export type { ComputeServerInit } from './compute-server.js'
export { GroupCommit } from './group-commit.js'
export { helloFromWire, reportFromWire, unitToWire } from './wire.js'
