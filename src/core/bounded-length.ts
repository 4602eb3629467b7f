import { InvalidDataLengthLengthError } from './errors.js'
import type { Uint8ArrayList } from 'uint8arraylist'

const INCOMPLETE = new RangeError('incomplete length prefix')

/**
 * A varint length decoder that gives up once the prefix is longer than a
 * length within `maxDataLength` could need. The stock decoder only checks
 * the prefix's length after it ends, so a peer sending 0xff bytes kept the
 * reader decoding byte by byte through megabytes, blocking the event loop.
 */
export function boundedLengthDecoder (maxDataLength: number): (data: Uint8ArrayList) => number {
  let maxBytes = 1
  while (2 ** (7 * maxBytes) <= maxDataLength) maxBytes++
  return (data: Uint8ArrayList): number => {
    let value = 0
    for (let i = 0; i < data.byteLength; i++) {
      const byte = data.get(i)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if ((byte & 0x80) === 0) return value
      if (i + 1 >= maxBytes) {
        throw new InvalidDataLengthLengthError(`message too large: its length prefix runs past ${maxBytes} bytes, so it exceeds ${maxDataLength} bytes`)
      }
    }
    // not complete yet: the reader fetches one more byte (a RangeError made once: nobody reads its stack)
    throw INCOMPLETE
  }
}
