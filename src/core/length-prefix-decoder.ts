import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'

/**
 * @libp2p/utils' LengthPrefixedDecoder, through which Noise reads every
 * frame, asks its length decoder for the next length after each chunk, also
 * when the chunk ended on a frame boundary and nothing is left. The length
 * decoder then throws a new RangeError, whose stack trace is captured only
 * to be dropped: in a profile of remote searches that was a tenth of the CPU
 * (issue 9). With nothing buffered, this throws one RangeError made once.
 * The decoder only checks that what it caught is a RangeError.
 */
export function skipEmptyLengthReads (): void {
  const proto = LengthPrefixedDecoder.prototype as any
  if (proto[PATCHED] === true) return
  const decode = proto.decode
  // another version than the one this was written for: leave it as it is
  if (typeof decode !== 'function') return
  proto.decode = function (this: any, buf: Uint8Array | Uint8ArrayList) {
    if (this[WRAPPED] !== true && typeof this.lengthDecoder === 'function') {
      const readLength = this.lengthDecoder
      this.lengthDecoder = (data: Uint8ArrayList) => {
        if (data.byteLength === 0) throw NOTHING_BUFFERED
        return readLength(data)
      }
      this[WRAPPED] = true
    }
    return decode.call(this, buf)
  }
  proto[PATCHED] = true
}

/** Thrown where no length can be read yet; made once, since nobody looks at its stack. */
export const NOTHING_BUFFERED = new RangeError('no length prefix buffered yet')

const PATCHED = Symbol.for('peerhive.length-prefix-skip-empty')
const WRAPPED = Symbol.for('peerhive.length-prefix-wrapped')
