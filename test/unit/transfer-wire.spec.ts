import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { TransferResponse, decodePieceFrame, encodePieceFrame, errorResponse } from '../../src/sharing/transfer/wire.js'

/** Splits a frame into its length prefix and body, as the reader sees it. */
function body (frame: Uint8ArrayList): Uint8ArrayList {
  const bytes = frame.subarray()
  let at = 0
  let length = 0
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++]
    length += (b & 0x7f) * 2 ** shift
    if ((b & 0x80) === 0) break
  }
  assert.equal(bytes.byteLength - at, length, 'the prefix gives the body length')
  return new Uint8ArrayList(bytes.subarray(at))
}

describe('transfer: wire encoding of pieces', () => {
  for (const [index, size] of [[0, 1], [1, 127], [300, 128], [32_767, 1024 * 1024], [2 ** 32 - 1, 70_000]]) {
    it(`encodes piece ${index} of ${size} bytes as a TransferResponse, without copying it`, () => {
      const data = randomBytes(size)
      const frame = encodePieceFrame(index, data)
      assert.ok([...frame].includes(data), 'the piece is appended by reference')
      const msg = body(frame)
      const decoded = TransferResponse.decode(msg)
      assert.equal(decoded.error, TransferResponse.ErrorCode.NONE)
      assert.equal(decoded.index, index)
      assert.ok(Buffer.from(decoded.data).equals(data))
      const fast = decodePieceFrame(msg)
      assert.equal(fast?.index, index)
      assert.ok(Buffer.from(fast?.data.subarray() ?? []).equals(data))
    })
  }

  it('reads protons\' own encoding of a piece (index 0 omitted) on the fast path', () => {
    const data = randomBytes(10)
    const fast = decodePieceFrame(new Uint8ArrayList(TransferResponse.encode({ index: 0, data })))
    assert.equal(fast?.index, 0)
    assert.ok(Buffer.from(fast?.data.subarray() ?? []).equals(data))
  })

  it('leaves error responses and other layouts to the full decoder', () => {
    assert.equal(decodePieceFrame(new Uint8ArrayList(errorResponse(TransferResponse.ErrorCode.BUSY, 'later'))), undefined)
    // data before index
    assert.equal(decodePieceFrame(new Uint8ArrayList(Uint8Array.from([0x2a, 0x01, 0x07, 0x20, 0x05]))), undefined)
    // a data length that does not reach the end
    assert.equal(decodePieceFrame(new Uint8ArrayList(Uint8Array.from([0x20, 0x01, 0x2a, 0x05, 0x07]))), undefined)
  })

  it('refuses varints that are truncated or wider than 32 bits', () => {
    assert.throws(() => decodePieceFrame(new Uint8ArrayList(Uint8Array.from([0x20, 0x80]))), /truncated/)
    assert.throws(() => decodePieceFrame(new Uint8ArrayList(Uint8Array.from([0x20, 0xff, 0xff, 0xff, 0xff, 0x7f]))), /larger than 32 bits/)
    assert.throws(() => decodePieceFrame(new Uint8ArrayList(Uint8Array.from([0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))), /longer than 5 bytes/)
  })

  it('cuts long error messages', () => {
    const res = TransferResponse.decode(errorResponse(TransferResponse.ErrorCode.INTERNAL, 'x'.repeat(10_000)))
    assert.equal(res.message.length, 256)
  })
})
