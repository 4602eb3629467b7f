import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp-dir.js'

describe('the compute example of the README', function () {
  this.timeout(90_000)

  it('compiles with the project and runs: two providers render a Mandelbrot image for a library user', async () => {
    const dir = tempDir('peerhive-compute-example-test-')
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [join(ROOT, 'dist', 'examples', 'compute.js'), dir.path], { timeout: 75_000 }, (err, out, errOut) => {
          if (err != null) reject(new Error(`${err.message}\n${errOut}`))
          else resolve(out)
        })
      })
      assert.match(stdout, /^job done: 4 of 4 units valid$/m)
      // results.image is the image's full path, ready to open
      const image = join(dir.path, 'image.png')
      assert.ok(stdout.split('\n').includes(`results: 4 units in order, image ${image}`), stdout)
      const png = readFileSync(image)
      assert.equal(png.readUInt32BE(16), 128)
      assert.equal(png.readUInt32BE(20), 96)
    } finally {
      dir.cleanup()
    }
  })
})
