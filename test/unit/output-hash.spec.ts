/**
 * The output hash of protocols/compute.md. The expected digests were
 * computed by hand from the spec's encoding, outside this code:
 *   printf 'peerhive/unit-output/1\x00' '\x03\x00...' ... | sha256sum
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { hashHex, outputBytes, outputHash, sameHash } from '../../src/compute/model/output-hash.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('output hash (compute.md)', () => {
  it('matches a hand-computed vector: stdout, a written file and a missing one', () => {
    // preimage: prefix | 03 00*7 "hi\n" | 05 00 00 00 "a.txt" 02 00*7 "xy" | 04 00 00 00 "none" ff*8
    const hash = outputHash(text('hi\n'), { 'a.txt': text('xy'), extra: text('ignored') }, { stdout: true, files: ['a.txt', 'none'] })
    assert.equal(hashHex(hash), '557144f9528ae286c07909dd79a203ffddab41add9f8041a4949885b25c43f25')
  })

  it('builds exactly the preimage the spec gives', () => {
    const preimage = Buffer.concat([
      Buffer.from('70656572686976652f756e69742d6f75747075742f3100', 'hex'), // "peerhive/unit-output/1\0"
      Buffer.from('0300000000000000', 'hex'), Buffer.from('hi\n'),
      Buffer.from('05000000', 'hex'), Buffer.from('a.txt'), Buffer.from('0200000000000000', 'hex'), Buffer.from('xy'),
      Buffer.from('04000000', 'hex'), Buffer.from('none'), Buffer.from('ffffffffffffffff', 'hex')
    ])
    const expected = createHash('sha256').update(preimage).digest('hex')
    assert.equal(expected, '557144f9528ae286c07909dd79a203ffddab41add9f8041a4949885b25c43f25')
  })

  it('counts stdout as empty when the result spec leaves it out', () => {
    const vector = '8bc6897df478cd30957e3fa1cbf249d4016e5920605eb7e2752ff9fdaab93639'
    assert.equal(hashHex(outputHash(text('anything'), {}, { stdout: false, files: [] })), vector)
    assert.equal(hashHex(outputHash(new Uint8Array(0), {}, { stdout: true, files: [] })), vector)
  })

  it('measures names in UTF-8 bytes and tells an empty file from a missing one', () => {
    const written = outputHash(new Uint8Array(0), { 'é.txt': new Uint8Array(0) }, { stdout: false, files: ['é.txt'] })
    assert.equal(hashHex(written), '4dfee2c7bc7977ed1cb4cf7a22f411dc44fdf0914b0d84e5f641cb47b6df2a81')
    const missing = outputHash(new Uint8Array(0), {}, { stdout: false, files: ['é.txt'] })
    assert.notEqual(hashHex(missing), hashHex(written))
  })

  it('accepts files as an object, a Map or a UnitOutput list alike, in the spec order', () => {
    const spec = { stdout: true, files: ['b', 'a'] }
    const a = outputHash(text('o'), { a: text('1'), b: text('2') }, spec)
    const b = outputHash(text('o'), new Map([['b', text('2')], ['a', text('1')]]), spec)
    const c = outputHash(text('o'), [{ name: 'a', data: text('1') }, { name: 'b', data: text('2') }], spec)
    assert.ok(sameHash(a, b) && sameHash(b, c))
    assert.ok(!sameHash(a, outputHash(text('o'), { a: text('1'), b: text('2') }, { stdout: true, files: ['a', 'b'] })), 'the order of result.files counts')
  })

  it('outputBytes counts what the spec returns; sameHash wants 32 bytes', () => {
    assert.equal(outputBytes(text('abc'), { x: text('12'), y: text('999') }, { stdout: true, files: ['x', 'z'] }), 5)
    assert.equal(outputBytes(text('abc'), { x: text('12') }, { stdout: false, files: ['x'] }), 2)
    assert.equal(sameHash(new Uint8Array(31), new Uint8Array(31)), false)
  })
})
