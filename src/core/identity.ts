import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { IDENTITY_FILE } from './constants.js'
import { InvalidIdentityError } from './errors.js'
import type { PrivateKey } from '@libp2p/interface'

/** Loads the node's Ed25519 key from its data directory, creating it on first start, so the PeerId survives restarts. */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, IDENTITY_FILE)
  try {
    const key = privateKeyFromProtobuf(await readFile(path))
    if (key.type !== 'Ed25519') throw new InvalidIdentityError(`${path} holds a ${key.type} key; peerhive uses Ed25519`)
    return key
  } catch (err: any) {
    if (err.code !== 'ENOENT') throw new InvalidIdentityError(`cannot read the node identity at ${path}: ${err.message}`)
  }
  await mkdir(dataDir, { recursive: true })
  const key = await generateKeyPair('Ed25519')
  await writeFile(path, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600)
  return key
}
