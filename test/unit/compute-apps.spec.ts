/**
 * The example compute applications (apps/mandelbrot, apps/wordcount), run as
 * WASI preview1 commands under Node's own node:wasi with the same shape of
 * sandbox the providers give them (argv, stdout/stderr, /input and /output),
 * plus the client-side PNG assembly in src/compute/apps.
 */
import assert from 'node:assert/strict'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WASI } from 'node:wasi'
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib'
import { appPath, assembleMandelbrotPng, mandelbrotUnits } from '../../src/compute/apps/index.js'
import { tempDir } from '../helpers/tmp-dir.js'

interface RunResult { code: number, stdout: Uint8Array, stderr: string }

const modules = new Map<string, WebAssembly.Module>()

async function loadApp (name: string): Promise<WebAssembly.Module> {
  let module = modules.get(name)
  if (module == null) {
    const path = appPath(name)
    if (!existsSync(path)) throw new Error(`${path} is missing: run node scripts/build-apps.js`)
    module = await WebAssembly.compile(readFileSync(path))
    modules.set(name, module)
  }
  return module
}

/** Runs app `name` with `args` and the given input files, in fresh directories. */
async function runApp (name: string, args: string[], inputs: Record<string, string | Uint8Array> = {}): Promise<RunResult> {
  const dir = tempDir('peerhive-apps-')
  try {
    const input = join(dir.path, 'input')
    const output = join(dir.path, 'output')
    mkdirSync(input)
    mkdirSync(output)
    for (const [file, content] of Object.entries(inputs)) writeFileSync(join(input, file), content)
    const stdoutPath = join(dir.path, 'stdout')
    const stderrPath = join(dir.path, 'stderr')
    const stdoutFd = openSync(stdoutPath, 'w')
    const stderrFd = openSync(stderrPath, 'w')
    let code: number
    try {
      const wasi = new WASI({
        version: 'preview1',
        args: [name, ...args],
        env: {},
        preopens: { '/input': input, '/output': output },
        stdin: 0,
        stdout: stdoutFd,
        stderr: stderrFd,
        returnOnExit: true
      })
      const instance = await WebAssembly.instantiate(await loadApp(name), wasi.getImportObject() as WebAssembly.Imports)
      code = wasi.start(instance)
    } finally {
      closeSync(stdoutFd)
      closeSync(stderrFd)
    }
    return { code, stdout: new Uint8Array(readFileSync(stdoutPath)), stderr: readFileSync(stderrPath, 'utf8') }
  } finally {
    dir.cleanup()
  }
}

/** Runs mandelbrot and insists on success. */
async function band (args: string[]): Promise<Uint8Array> {
  const result = await runApp('mandelbrot', args)
  assert.equal(result.code, 0, `mandelbrot ${args.join(' ')}: ${result.stderr}`)
  return result.stdout
}

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function pixel (rgb: Uint8Array, width: number, x: number, y: number): number[] {
  const at = (y * width + x) * 3
  return [rgb[at], rgb[at + 1], rgb[at + 2]]
}

/** A minimal PNG reader for 8-bit RGB, non-interlaced, filter-None images. */
function readPng (png: Uint8Array): { width: number, height: number, rgb: Uint8Array } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'signature')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const types: string[] = []
  const idat: Uint8Array[] = []
  let width = 0
  let height = 0
  let offset = 8
  while (offset < png.length) {
    const length = view.getUint32(offset)
    const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8))
    const data = png.subarray(offset + 8, offset + 8 + length)
    const crc = view.getUint32(offset + 8 + length)
    assert.equal(crc, zlibCrc32(png.subarray(offset + 4, offset + 8 + length)), `CRC of ${type}`)
    types.push(type)
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8)
      height = view.getUint32(offset + 12)
      assert.deepEqual([...data.subarray(8)], [8, 2, 0, 0, 0], 'bit depth 8, RGB, no interlace')
    } else if (type === 'IDAT') {
      idat.push(data)
    }
    offset += 12 + length
  }
  assert.equal(offset, png.length, 'no trailing bytes')
  assert.equal(types[0], 'IHDR')
  assert.equal(types[types.length - 1], 'IEND')
  const raw = inflateSync(concat(idat))
  const rowBytes = width * 3
  assert.equal(raw.length, height * (rowBytes + 1), 'inflated size')
  const rgb = new Uint8Array(height * rowBytes)
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (rowBytes + 1)], 0, `filter byte of row ${y}`)
    rgb.set(raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1)), y * rowBytes)
  }
  return { width, height, rgb }
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

describe('compute example applications', function () {
  this.timeout(60000)

  describe('mandelbrot', () => {
    const W = 96
    const H = 64

    it('writes WIDTH * rows * 3 bytes for a band', async () => {
      assert.equal((await band([String(W), String(H), '0', String(H)])).length, W * H * 3)
      assert.equal((await band([String(W), String(H), '10', '13'])).length, W * 3 * 3)
      assert.equal((await band(['7', '5', '4', '5', '20', '0', '0', '4'])).length, 7 * 3)
    })

    it('gives identical bytes for identical arguments', async () => {
      const args = [String(W), String(H), '8', '40', '500', '-0.74', '0.1', '0.3']
      assert.deepEqual(await band(args), await band(args))
    })

    it('4 bands concatenated equal one band of all rows', async () => {
      const units = mandelbrotUnits({ width: W, height: H, rowsPerUnit: 16 })
      assert.equal(units.length, 4)
      assert.deepEqual(units[0], [String(W), String(H), '0', '16', '256', '-0.5', '0', '3'])
      assert.deepEqual(units[3].slice(2, 4), ['48', '64'])
      const bands = []
      for (const unit of units) bands.push(await band(unit))
      const whole = await band([String(W), String(H), '0', String(H)])
      assert.deepEqual(concat(bands), whole)
    })

    it('paints the centre of the set black and a far corner in colour', async () => {
      const rgb = await band([String(W), String(H), '0', String(H)])
      // The default view is centred on -0.5 + 0i, inside the main cardioid.
      assert.deepEqual(pixel(rgb, W, W / 2, H / 2), [0, 0, 0])
      assert.deepEqual(pixel(rgb, W, W / 2 - 1, H / 2 - 1), [0, 0, 0])
      // Near -2 + 1i, which escapes at once.
      assert.notDeepEqual(pixel(rgb, W, 0, 0), [0, 0, 0])
      assert.notDeepEqual(pixel(rgb, W, W - 1, H - 1), [0, 0, 0])
    })

    it('rejects invalid arguments with exit code 2', async () => {
      const invalid = [
        [],
        ['10', '10', '0'],
        ['10', '10', '0', '10', '5', '0'],
        ['0', '10', '0', '10'],
        ['10', '10', '5', '5'],
        ['10', '10', '0', '11'],
        ['10', 'x', '0', '10'],
        ['10', '10', '0', '10', '0'],
        ['10', '10', '0', '10', '50', '1.5e', '0', '3'],
        ['10', '10', '0', '10', '50', '0', '0', '-3'],
        ['10', '10', '0', '10', '50', '0', '0', '1e999']
      ]
      for (const args of invalid) {
        const result = await runApp('mandelbrot', args)
        assert.equal(result.code, 2, `mandelbrot ${args.join(' ')}`)
        assert.equal(result.stdout.length, 0)
        assert.match(result.stderr, /usage: mandelbrot/)
      }
    })

    it('assembles bands into a PNG that decodes to the same pixels', async () => {
      const units = mandelbrotUnits({ width: W, height: H, rowsPerUnit: 24 })
      assert.equal(units.length, 3)
      const bands = []
      for (const unit of units) bands.push(await band(unit))
      const png = readPng(assembleMandelbrotPng(W, H, bands))
      assert.equal(png.width, W)
      assert.equal(png.height, H)
      assert.deepEqual(png.rgb, concat(bands))
    })
  })

  describe('PNG assembly', () => {
    it('round-trips arbitrary pixels', () => {
      const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) & 0xff)
      const png = readPng(assembleMandelbrotPng(5, 3, [rgb.subarray(0, 15), rgb.subarray(15)]))
      assert.deepEqual(png, { width: 5, height: 3, rgb })
    })

    it('rejects bands of the wrong size', () => {
      assert.throws(() => assembleMandelbrotPng(5, 3, [new Uint8Array(15), new Uint8Array(29)]), /band 1/)
      assert.throws(() => assembleMandelbrotPng(5, 3, [new Uint8Array(15), new Uint8Array(0)]), /band 1/)
      assert.throws(() => assembleMandelbrotPng(5, 3, [new Uint8Array(30)]), /2 rows/)
    })

    it('splits jobs into units and checks the job', () => {
      assert.deepEqual(mandelbrotUnits({ width: 3, height: 5, rowsPerUnit: 2, maxIter: 9, centerX: 0.25, centerY: -1e-7, scale: 0.5 }), [
        ['3', '5', '0', '2', '9', '0.25', '-1e-7', '0.5'],
        ['3', '5', '2', '4', '9', '0.25', '-1e-7', '0.5'],
        ['3', '5', '4', '5', '9', '0.25', '-1e-7', '0.5']
      ])
      assert.throws(() => mandelbrotUnits({ width: 0, height: 5, rowsPerUnit: 2 }), RangeError)
      assert.throws(() => mandelbrotUnits({ width: 3, height: 5, rowsPerUnit: 1.5 }), RangeError)
      assert.throws(() => mandelbrotUnits({ width: 3, height: 5, rowsPerUnit: 2, scale: 0 }), RangeError)
    })

    it('places the modules next to the compiled sources', () => {
      assert.match(appPath('wordcount'), /[/\\]apps[/\\]wordcount\.wasm$/)
      assert.throws(() => appPath('../etc'), RangeError)
    })
  })

  describe('wordcount', () => {
    it('counts the words of a text', async () => {
      const result = await runApp('wordcount', ['story.txt'], {
        'story.txt': 'The cat saw the other cat.\nA CAT? 3 cats, café CAFÉ'
      })
      assert.equal(result.code, 0, result.stderr)
      // Byte order: "É" is C3 89 and "é" is C3 A9; only ASCII is lowercased.
      assert.equal(text(result.stdout), [
        '3\t1',
        'a\t1',
        'cafÉ\t1',
        'café\t1',
        'cat\t3',
        'cats\t1',
        'other\t1',
        'saw\t1',
        'the\t2',
        ''
      ].join('\n'))
    })

    it('sums two files, named or found in /input', async () => {
      const inputs = { 'one.txt': 'b a b', 'two.txt': 'a\nb\n\tc-a' }
      const expected = 'a\t3\nb\t3\nc\t1\n'
      const named = await runApp('wordcount', ['one.txt', '/input/two.txt'], inputs)
      assert.equal(named.code, 0, named.stderr)
      assert.equal(text(named.stdout), expected)
      const listed = await runApp('wordcount', [], inputs)
      assert.equal(listed.code, 0, listed.stderr)
      assert.equal(text(listed.stdout), expected)
    })

    it('keeps words whole across read blocks and files apart', async () => {
      // 5-byte records over 64 KiB blocks: some words straddle a block end.
      const big = 'word '.repeat(30000) + 'end'
      const result = await runApp('wordcount', [], { 'a.txt': big, 'b.txt': 'ing' })
      assert.equal(result.code, 0, result.stderr)
      assert.equal(text(result.stdout), 'end\t1\ning\t1\nword\t30000\n')
    })

    it('prints nothing for empty input', async () => {
      const result = await runApp('wordcount', [], { 'empty.txt': ' \n,.' })
      assert.equal(result.code, 0, result.stderr)
      assert.equal(result.stdout.length, 0)
    })

    it('exits 1 on a missing file', async () => {
      const result = await runApp('wordcount', ['here.txt', 'missing.txt'], { 'here.txt': 'x' })
      assert.equal(result.code, 1)
      assert.match(result.stderr, /missing\.txt/)
      assert.equal(result.stdout.length, 0)
    })
  })
})
