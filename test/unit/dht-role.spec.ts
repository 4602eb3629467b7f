/**
 * Which nodes serve the DHT (src/topology/dht-role.ts): only a virtual
 * server, unless the operator chose a fixed mode.
 */
import assert from 'node:assert/strict'
import { dhtModeFor } from '../../src/topology/dht-role.js'
import type { PeerRole } from '../../src/topology/index.js'

const ROLES: PeerRole[] = ['joining', 'member', 'central-client', 'virtual-server']

describe('dhtModeFor', () => {
  it('auto: a virtual server serves the DHT; a member, a central client and a joining node are clients', () => {
    assert.deepEqual(ROLES.map(r => dhtModeFor(r)), ['client', 'client', 'client', 'server'])
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'auto')), ['client', 'client', 'client', 'server'])
  })

  it('a fixed mode holds whatever the role', () => {
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'server')), ['server', 'server', 'server', 'server'])
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'client')), ['client', 'client', 'client', 'client'])
  })
})
