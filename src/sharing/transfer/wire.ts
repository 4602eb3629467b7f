/**
 * Framing of /peerhive/transfer/1.0.0: varint length-prefixed protobuf
 * messages, read through a bounded length decoder, with one copy-free
 * encoder for the hot path (a piece).
 */
import { lpStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { boundedLengthDecoder } from '../../core/index.js'
import { TransferRequest, TransferResponse } from '../../pb/transfer.js'
import { MAX_ERROR_MESSAGE_CHARS } from './constants.js'
import type { Stream } from '@libp2p/interface'

export { TransferRequest, TransferResponse }
export const ErrorCode = TransferResponse.ErrorCode
export type ErrorCode = TransferResponse.ErrorCode

export type LpStream = ReturnType<typeof lpStream>

/**
 * A length-prefixed view of `stream` that refuses messages over
 * `maxMessageBytes` as soon as their prefix says so, and buffers at most
 * `maxBufferBytes` unread (beyond that libp2p aborts the stream: a peer that
 * sends more than was asked for gets reset).
 */
export function boundedLp (stream: Stream, maxMessageBytes: number, maxBufferBytes: number): LpStream {
  return lpStream(stream, {
    maxDataLength: maxMessageBytes,
    lengthDecoder: boundedLengthDecoder(maxMessageBytes),
    maxBufferSize: maxBufferBytes
  })
}

/**
 * One piece as a length-prefixed TransferResponse {index, data}, without
 * copying the piece: the prefix and the field headers go in a small buffer
 * of their own and the data is appended by reference.
 */
export function encodePieceFrame (index: number, data: Uint8Array): Uint8ArrayList {
  const header = new Uint8Array(5 + 1 + 5 + 1 + 5)
  // fields first, so their length is known; the prefix goes in front of them
  let at = 5
  header[at++] = 0x20 // field 4 (index), varint
  at = writeVarint(index, header, at)
  header[at++] = 0x2a // field 5 (data), length-delimited
  at = writeVarint(data.byteLength, header, at)
  const fields = at - 5
  const prefix = new Uint8Array(5)
  const prefixLength = writeVarint(fields + data.byteLength, prefix, 0)
  header.set(prefix.subarray(0, prefixLength), 5 - prefixLength)
  return new Uint8ArrayList(header.subarray(5 - prefixLength, at), data)
}

/** Writes `value` (below 2^32) as an unsigned varint at `at`; returns the offset after it. */
function writeVarint (value: number, buf: Uint8Array, at: number): number {
  while (value >= 0x80) {
    buf[at++] = (value & 0x7f) | 0x80
    value = Math.floor(value / 128)
  }
  buf[at++] = value
  return at
}

/** An error response, with its message cut to a bounded length. */
export function errorResponse (code: ErrorCode, message: string): Uint8Array {
  return TransferResponse.encode({ error: code, message: message.slice(0, MAX_ERROR_MESSAGE_CHARS) })
}

/**
 * Reads a piece response as providers write it ({index, data}, in that
 * order) without copying the piece out of the chunks it arrived in.
 * Returns undefined for any other layout (an error, or another encoder's
 * field order): decode those with TransferResponse.decode.
 */
export function decodePieceFrame (msg: Uint8ArrayList): { index: number, data: Uint8ArrayList } | undefined {
  let pos = 0
  let index = 0
  while (pos < msg.byteLength) {
    const tag = msg.get(pos++)
    if (tag === 0x20) {
      [index, pos] = readVarint(msg, pos)
    } else if (tag === 0x2a) {
      const [length, start] = readVarint(msg, pos)
      if (start + length !== msg.byteLength) return undefined
      return { index, data: msg.sublist(start, start + length) }
    } else {
      return undefined
    }
  }
  return undefined
}

/** An unsigned varint of at most 5 bytes (32 bits) at `at`; [value, offset after it]. */
function readVarint (buf: Uint8ArrayList, at: number): [number, number] {
  let value = 0
  for (let i = 0; i < 5; i++) {
    if (at >= buf.byteLength) throw new RangeError('truncated varint')
    const byte = buf.get(at++)
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) throw new RangeError('varint larger than 32 bits')
      return [value, at]
    }
  }
  throw new RangeError('varint longer than 5 bytes')
}
