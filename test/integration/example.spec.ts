import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../helpers/cli.js'

describe('the embedding example of the README', function () {
  this.timeout(60_000)

  it('compiles with the project and runs: the seed election from a library', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [join(ROOT, 'dist', 'examples', 'embed.js')], { timeout: 45_000 }, (err, out, errOut) => {
        if (err != null) reject(new Error(`${err.message}\n${errOut}`))
        else resolve(out)
      })
    })
    assert.match(stdout, /^peer 1: virtual-server in 127\.0\.42\.0\/24$/m)
    assert.match(stdout, /^peer 2: member in 127\.0\.42\.0\/24$/m)
    assert.match(stdout, /^peer 3: central-client in 127\.0\.42\.0\/24$/m)
    assert.match(stdout, /^127\.0\.42\.0\/24: 1 virtual server\(s\), 1 central client\(s\)$/m)
  })
})
