/**
 * The message of /peerhive/punch/1.0.0 (src/topology/hole-punch.ts,
 * protocols/punch.md): a router's public IPv4 address and a port, refused
 * when it is anything else, since the answering side dials what it reads.
 */
import assert from 'node:assert/strict'
import { decodePunch, encodePunch } from '../../src/topology/hole-punch.js'
import { PUNCH_MESSAGE_BYTES } from '../../src/protocols/punch.js'

describe('punch messages', () => {
  it('carry a public IPv4 address and a port, in 7 bytes', () => {
    const bytes = encodePunch('203.0.113.6', 41_001)
    assert.equal(bytes.length, PUNCH_MESSAGE_BYTES)
    assert.deepEqual(decodePunch(bytes), { ip: '203.0.113.6', port: 41_001 })
    assert.deepEqual(decodePunch(encodePunch('8.8.4.4', 65_535)), { ip: '8.8.4.4', port: 65_535 })
  })

  it('are refused with another length or version', () => {
    assert.throws(() => decodePunch(new Uint8Array(6)), /not a punch message/)
    assert.throws(() => decodePunch(new Uint8Array(8)), /not a punch message/)
    const v2 = encodePunch('203.0.113.6', 1)
    v2[0] = 2
    assert.throws(() => decodePunch(v2), /not a punch message/)
  })

  it('are refused when they name no public address or port 0: a peer must not make another dial its LAN or itself', () => {
    for (const [ip, port] of [['10.1.0.2', 4001], ['192.168.1.1', 4001], ['127.0.0.1', 4001], ['0.0.0.0', 4001], ['224.0.0.1', 4001], ['255.255.255.255', 4001], ['203.0.113.6', 0]] as const) {
      assert.throws(() => decodePunch(encodePunch(ip, port)), /not a public address/, `${ip}:${port}`)
    }
  })
})
