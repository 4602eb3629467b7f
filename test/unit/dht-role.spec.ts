/**
 * Which nodes serve the DHT (src/topology/dht-role.ts): under auto no peer
 * whatever its role (the bootstrap and `server` nodes serve), else the
 * operator's fixed mode.
 */
import assert from 'node:assert/strict'
import { dhtModeFor } from '../../src/topology/dht-role.js'
import type { PeerRole } from '../../src/topology/index.js'

const ROLES: PeerRole[] = ['joining', 'member', 'central-client', 'virtual-server']

describe('dhtModeFor', () => {
  it('auto: every role is a client, virtual servers included', () => {
    assert.deepEqual(ROLES.map(r => dhtModeFor(r)), ['client', 'client', 'client', 'client'])
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'auto')), ['client', 'client', 'client', 'client'])
  })

  it('a fixed mode holds whatever the role', () => {
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'server')), ['server', 'server', 'server', 'server'])
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'client')), ['client', 'client', 'client', 'client'])
  })

  it('behind NAT a node is a client, even when the operator asked for a server', () => {
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'server', true)), ['client', 'client', 'client', 'client'])
    assert.deepEqual(ROLES.map(r => dhtModeFor(r, 'server', false)), ['server', 'server', 'server', 'server'])
  })
})
