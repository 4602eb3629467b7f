import { RateLimitedError, UnsupportedVersionError, MalformedMessageError, MessageTooLargeError, openRequestChannel, requestResponse } from '../../core/index.js'
import { JOBS_CLIENT_TIMEOUT_MS, JOBS_VERSION, JobsRequest, JobsResponse, MAX_JOBS_REQUEST_BYTES, MAX_JOBS_RESPONSE_BYTES, PROTOCOL_JOBS } from '../../protocols/index.js'
import { BootstrapNotAnsweredError, ForbiddenError, InvalidJobError, JobNotFoundError, JobsRequestError } from './errors.js'
import type { Libp2p } from 'libp2p'
import type { Multiaddr } from '@multiformats/multiaddr'

export type JobsCall = Partial<Omit<JobsRequest, 'version' | 'kind'>> & { kind: JobsRequest.Kind }

/**
 * One request of /peerhive/jobs/1.0.0 to the bootstrap. A refusal becomes an
 * error with a stable name: InvalidJobError (every problem listed),
 * JobNotFoundError, ForbiddenError, RateLimitedError, JobsRequestError.
 */
export async function callJobs (libp2p: Libp2p<any>, bootstrap: Multiaddr, call: JobsCall, outer?: AbortSignal): Promise<JobsResponse> {
  const request: JobsRequest = {
    version: JOBS_VERSION,
    body: new Uint8Array(0),
    jobId: '',
    user: '',
    email: '',
    peer: '',
    ban: false,
    ...call
  }
  const encoded = JobsRequest.encode(request)
  if (encoded.byteLength > MAX_JOBS_REQUEST_BYTES) {
    throw new MessageTooLargeError(`the request is ${encoded.byteLength} bytes, over the ${MAX_JOBS_REQUEST_BYTES} bytes the bootstrap accepts (a job with fewer explicit units, or a range, fits)`)
  }
  const signal = outer == null ? AbortSignal.timeout(JOBS_CLIENT_TIMEOUT_MS) : AbortSignal.any([outer, AbortSignal.timeout(JOBS_CLIENT_TIMEOUT_MS)])
  let res: JobsResponse
  try {
    const channel = await openRequestChannel(libp2p, bootstrap, PROTOCOL_JOBS, MAX_JOBS_RESPONSE_BYTES, { signal })
    res = await requestResponse(channel, request, JobsRequest, JobsResponse, { maxInboundBytes: MAX_JOBS_RESPONSE_BYTES, signal })
  } catch (err: any) {
    if (outer?.aborted === true) throw err
    throw unanswered(err)
  }
  if (res.error !== JobsResponse.Error.NONE) throw refusal(res.error, res.message)
  return res
}

/** A bootstrap that could not be reached or did not answer, said so in words a person can act on. */
function unanswered (err: any): BootstrapNotAnsweredError {
  const why = typeof err?.message === 'string' ? err.message : err?.type === 'close' ? 'the stream closed' : String(err)
  return new BootstrapNotAnsweredError(why, { cause: err, code: typeof err?.code === 'string' ? err.code : undefined })
}

function refusal (code: JobsResponse.Error, message: string): Error {
  switch (code) {
    case JobsResponse.Error.INVALID_JOB:
      return new InvalidJobError(message.split('\n').map(l => l.trim()).filter(l => l !== ''), 'the bootstrap refused the job')
    case JobsResponse.Error.NOT_FOUND:
      return new JobNotFoundError(message)
    case JobsResponse.Error.FORBIDDEN:
      return new ForbiddenError(message)
    case JobsResponse.Error.RATE_LIMITED:
      return new RateLimitedError(`the bootstrap asks to slow down: ${message}`)
    case JobsResponse.Error.UNSUPPORTED_VERSION:
      return new UnsupportedVersionError(message)
    case JobsResponse.Error.MALFORMED_MESSAGE:
      return new MalformedMessageError(message)
    case JobsResponse.Error.MESSAGE_TOO_LARGE:
      return new MessageTooLargeError(message)
    default:
      return new JobsRequestError(code, message)
  }
}

/** Parses the JSON document a response carries in `body`. */
export function bodyJson<T> (res: JobsResponse, what: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(res.body)) as T
  } catch (err: any) {
    throw new MalformedMessageError(`the bootstrap's ${what} is not JSON: ${err.message}`)
  }
}

export function jsonBody (value: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(value)) as Uint8Array<ArrayBuffer>
}
