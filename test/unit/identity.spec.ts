import assert from 'node:assert/strict'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../src/core/index.js'
import { tempDir } from '../helpers/tmp-dir.js'

describe('node identity', () => {
  const dir = tempDir()
  after(() => { dir.cleanup() })

  it('creates an Ed25519 key on first start and loads the same one after that', async () => {
    const data = join(dir.path, 'node')
    const first = await loadOrCreateIdentity(data)
    assert.equal(first.type, 'Ed25519')
    const again = await loadOrCreateIdentity(data)
    assert.equal(peerIdFromPrivateKey(again).toString(), peerIdFromPrivateKey(first).toString())
    assert.equal(statSync(join(data, 'identity.key')).mode & 0o777, 0o600)
  })

  it('gives different nodes different identities', async () => {
    const a = await loadOrCreateIdentity(join(dir.path, 'a'))
    const b = await loadOrCreateIdentity(join(dir.path, 'b'))
    assert.notEqual(peerIdFromPrivateKey(a).toString(), peerIdFromPrivateKey(b).toString())
  })

  it('refuses a damaged key file with a message naming it, instead of replacing the identity', async () => {
    const data = join(dir.path, 'bad')
    await loadOrCreateIdentity(data)
    writeFileSync(join(data, 'identity.key'), 'not a key')
    await assert.rejects(loadOrCreateIdentity(data), /cannot read the node identity at .*identity\.key/)
  })
})
