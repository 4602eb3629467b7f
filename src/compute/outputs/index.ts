/**
 * /peerhive/unit-output/1.0.0 (protocols/unit-output.md): outputs go from
 * the provider straight to the job's owner. The handler (both roles), the
 * provider's outbox, the owner's inbox, and the PUSH and FETCH clients.
 */
export { UnitOutputServer } from './server.js'
export type { UnitOutputServerInit } from './server.js'
export { Outbox, writeAtomic } from './outbox.js'
export type { OutboxEntry, OutboxInit, OutputQuery } from './outbox.js'
export { OwnerInbox } from './inbox.js'
export type { OwnerInboxInit, PutOutcome } from './inbox.js'
export { pushOutput, fetchOutput, usableAddrs } from './client.js'
export type { FetchOptions, FetchQuery, OutputPeer, PushOptions } from './client.js'
export { hashMatches, jobDirName, jobIdProblem, outputProblem } from './check.js'
export type { OutputProblem, OutputSpec } from './check.js'
export { OutputRefusedError, BadOutputError, InvalidJobIdError } from './errors.js'
export * from './constants.js'
export { UnitOutput, OutputFile, OutputRequest, OutputResponse } from '../../pb/unit-output.js'
