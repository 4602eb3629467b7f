/**
 * The message of /peerhive/punch/1.0.0 (src/topology/hole-punch.ts,
 * protocols/punch.md): a router's public IPv4 address and a port, refused
 * when it is anything else, since the answering side dials what it reads.
 */
import assert from 'node:assert/strict'
import { decodePunch, encodePunch } from '../../src/topology/hole-punch.js'
import { MAX_PUNCH_MESSAGE_BYTES } from '../../src/protocols/punch.js'
import { PunchMessage } from '../../src/pb/punch.js'

describe('punch messages', () => {
  it('carry a public IPv4 address and a port, well within the limit', () => {
    const bytes = encodePunch('203.0.113.6', 65_535)
    assert.ok(bytes.length <= MAX_PUNCH_MESSAGE_BYTES, `${bytes.length} bytes`)
    assert.deepEqual(decodePunch(encodePunch('203.0.113.6', 41_001)), { ip: '203.0.113.6', port: 41_001 })
    assert.deepEqual(decodePunch(encodePunch('8.8.4.4', 65_535)), { ip: '8.8.4.4', port: 65_535 })
  })

  it('are refused when malformed, of another version, or with an address that is not IPv4', () => {
    assert.throws(() => decodePunch(new Uint8Array([0xff, 0xff])), /not a punch message/)
    assert.throws(() => decodePunch(PunchMessage.encode({ version: 2, ip: Uint8Array.from([203, 0, 113, 6]), port: 1 })), /not a punch message/)
    assert.throws(() => decodePunch(PunchMessage.encode({ version: 1, ip: new Uint8Array(16), port: 1 })), /not a punch message/)
    assert.throws(() => decodePunch(PunchMessage.encode({ version: 1, ip: Uint8Array.from([203, 0, 113, 6]), port: 70_000 })), /not a public address and port/)
  })

  it('are refused when they name no public address or port 0: a peer must not make another dial its LAN or itself', () => {
    for (const [ip, port] of [['10.1.0.2', 4001], ['192.168.1.1', 4001], ['127.0.0.1', 4001], ['0.0.0.0', 4001], ['224.0.0.1', 4001], ['255.255.255.255', 4001], ['203.0.113.6', 0]] as const) {
      assert.throws(() => decodePunch(encodePunch(ip, port)), /not a public address/, `${ip}:${port}`)
    }
  })
})
