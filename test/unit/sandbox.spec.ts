/**
 * The sandbox (WORK-6) against hostile units: each case runs a module
 * written in WebAssembly text through runUnit and checks the typed error,
 * and that the provider (this process) can run another unit right after.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { runUnit, type RunUnitOptions, type UnitResult } from '../../src/compute/sandbox/index.js'
import { data, unit, wat } from '../fixtures/wasm/wat.js'

const encoder = new TextEncoder()
const text = (b: Uint8Array): string => new TextDecoder().decode(b)
const LIMITS = { timeoutMs: 3000, maxMemoryBytes: 4 << 20, maxOutputBytes: 1 << 20 }
const FIXTURES = resolve('test/fixtures/wasm')

/** $open(dirfd, path, len, oflags, rights) -> errno, the fd at 12; $write(fd, ptr, len) -> errno */
const FILE_HELPERS = `
  (func $open (param $dir i32) (param $ptr i32) (param $len i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open (local.get $dir) (i32.const 0) (local.get $ptr) (local.get $len) (local.get $oflags)
      (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 12)))
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))`

/** what path_open takes: oflags CREAT|TRUNC, and the FD_READ / FD_WRITE rights */
const CREATE_TRUNC = 9
const READ = 2
const WRITE = 64

function fileUnit (body: string, extra = '', imports: string[] = []): Promise<Uint8Array> {
  return unit(body, { imports: ['path_open', 'fd_read', 'fd_close', ...imports], extra: FILE_HELPERS + extra })
}

async function run (wasm: Uint8Array, opts: Partial<RunUnitOptions> = {}): Promise<UnitResult> {
  return await runUnit({ wasm, args: ['unit'], ...LIMITS, ...opts })
}

/** runs `wasm` and expects a rejection named `name` */
async function rejects (wasm: Uint8Array, name: string, opts: Partial<RunUnitOptions> = {}): Promise<Error> {
  try {
    const result = await run(wasm, opts)
    assert.fail(`expected ${name}, the unit ended with exit code ${result.exitCode}: ${text(result.stdout)}`)
  } catch (err: any) {
    assert.equal(err?.name, name, err?.message)
    return err
  }
}

/** reads /input/in.txt, prints "hello <it>", writes "<it>hello " to /output/out.txt */
const WELL_BEHAVED = `(local $fd i32) (local $n i32)
  (if (call $open (i32.const 3) (i32.const 256) (i32.const 6) (i32.const 0) (i64.const ${READ})) (then (unreachable)))
  (local.set $fd (i32.load (i32.const 12)))
  (i32.store (i32.const 0) (i32.const 1024))
  (i32.store (i32.const 4) (i32.const 1024))
  (if (call $fd_read (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)) (then (unreachable)))
  (local.set $n (i32.load (i32.const 8)))
  (drop (call $fd_close (local.get $fd)))
  (call $print (i32.const 288) (i32.const 6))
  (call $print (i32.const 1024) (local.get $n))
  (if (call $open (i32.const 4) (i32.const 272) (i32.const 7) (i32.const ${CREATE_TRUNC}) (i64.const ${WRITE})) (then (unreachable)))
  (local.set $fd (i32.load (i32.const 12)))
  (drop (call $write (local.get $fd) (i32.const 1024) (local.get $n)))
  (drop (call $write (local.get $fd) (i32.const 288) (i32.const 6)))
  (drop (call $fd_close (local.get $fd)))`
const WELL_BEHAVED_DATA = data(256, 'in.txt') + data(272, 'out.txt') + data(288, 'hello ')

const INFINITE_LOOP = '(loop $l (br $l))'

describe('sandbox', function () {
  this.timeout(15000)
  let good: Uint8Array
  let loop: Uint8Array

  before(async () => {
    good = await fileUnit(WELL_BEHAVED, WELL_BEHAVED_DATA)
    loop = await unit(INFINITE_LOOP)
  })

  /** the provider is still up: the well-behaved unit runs and answers exactly */
  async function providerStillRuns (): Promise<void> {
    const r = await run(good, { inputs: { 'in.txt': encoder.encode('again') } })
    assert.equal(text(r.stdout), 'hello again')
  }

  describe('a well-behaved unit', () => {
    it('reads its input and writes stdout and an output file, byte for byte', async () => {
      // a view into a larger buffer: only its own bytes are the input
      const r = await run(good, { inputs: { 'in.txt': encoder.encode('<<world>>').subarray(2, 7) } })
      assert.equal(r.exitCode, 0)
      assert.deepEqual(r.stdout, encoder.encode('hello world'))
      assert.deepEqual(Object.keys(r.files), ['out.txt'])
      assert.deepEqual(r.files['out.txt'], encoder.encode('worldhello '))
      assert.equal(r.stderr.length, 0)
      assert.equal(r.peakMemoryBytes, 65536)
      assert.ok(r.ms >= 0 && r.ms < LIMITS.timeoutMs)
    })

    it('sees its arguments and an empty environment', async () => {
      const wasm = await unit(`
        (drop (call $args_sizes_get (i32.const 8) (i32.const 12)))
        (call $print_num (i32.load (i32.const 8)))
        (call $print_num (i32.load (i32.const 12)))
        (drop (call $args_get (i32.const 64) (i32.const 512)))
        (call $print (i32.load (i32.const 68)) (i32.sub (i32.sub (i32.load (i32.const 72)) (i32.load (i32.const 68))) (i32.const 1)))
        (drop (call $environ_sizes_get (i32.const 8) (i32.const 12)))
        (call $print_num (i32.load (i32.const 8)))
        (call $print_num (i32.load (i32.const 12)))`, { imports: ['args_get', 'args_sizes_get', 'environ_sizes_get'] })
      const r = await run(wasm, { args: ['prog', 'héllo', 'x'] })
      assert.equal(text(r.stdout), '3 14 héllo0 0 ')
    })

    it('lists /input and names its preopens', async () => {
      const wasm = await unit(`
        (drop (call $fd_prestat_get (i32.const 3) (i32.const 64)))
        (drop (call $fd_prestat_dir_name (i32.const 3) (i32.const 400) (i32.load (i32.const 68))))
        (call $print (i32.const 400) (i32.load (i32.const 68)))
        (drop (call $fd_prestat_get (i32.const 4) (i32.const 64)))
        (drop (call $fd_prestat_dir_name (i32.const 4) (i32.const 400) (i32.load (i32.const 68))))
        (call $print (i32.const 400) (i32.load (i32.const 68)))
        (call $print_num (call $fd_prestat_get (i32.const 5) (i32.const 64)))
        (drop (call $fd_readdir (i32.const 3) (i32.const 2048) (i32.const 512) (i64.const 0) (i32.const 8)))
        (call $print (i32.const 2048) (i32.load (i32.const 8)))`, { imports: ['fd_prestat_get', 'fd_prestat_dir_name', 'fd_readdir'] })
      const r = await run(wasm, { inputs: { 'a.txt': encoder.encode('1'), 'b.bin': new Uint8Array(3) } })
      const out = r.stdout
      const head = text(out.subarray(0, 15))
      assert.equal(head, '/input/output8 ')
      const names: string[] = []
      const view = new DataView(out.buffer, out.byteOffset + 15)
      for (let at = 0; at < view.byteLength;) {
        const len = view.getUint32(at + 16, true)
        assert.equal(view.getUint8(at + 20), 4, 'a regular file')
        names.push(text(out.subarray(15 + at + 24, 15 + at + 24 + len)))
        at += 24 + len
      }
      assert.deepEqual(names, ['a.txt', 'b.bin'])
    })

    it('sleeps with poll_oneoff and reads a monotonic clock', async () => {
      const wasm = await unit(`(local $t0 i64)
        (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 160)))
        (local.set $t0 (i64.load (i32.const 160)))
        (i32.store (i32.const 80) (i32.const 1))
        (i64.store (i32.const 88) (i64.const 30000000))
        (drop (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 8)))
        (call $print_num (i32.load (i32.const 8)))
        (drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 160)))
        (call $print_num (i32.wrap_i64 (i64.div_u (i64.sub (i64.load (i32.const 160)) (local.get $t0)) (i64.const 1000000))))`,
      { imports: ['clock_time_get', 'poll_oneoff'] })
      const [events, ms] = text((await run(wasm)).stdout).trim().split(' ').map(Number)
      assert.equal(events, 1)
      assert.ok(ms >= 29 && ms < 1000, `slept ${ms} ms`)
    })

    it('runs an AssemblyScript unit built with the WASI shim', async () => {
      const wasm = readFileSync(resolve(FIXTURES, 'as-echo.wasm'))
      const r = await run(wasm, { args: ['echo', 'a', 'b c'] })
      assert.equal(r.exitCode, 0)
      assert.equal(text(r.stdout), 'args 3: a b c\nenv 0\nrandom 16\nclock ok\n')
    })

    const mandelbrot = resolve('dist/apps/mandelbrot.wasm')
    ;(existsSync(mandelbrot) ? it : it.skip)('runs the mandelbrot application', async () => {
      const r = await runUnit({ wasm: readFileSync(mandelbrot), args: ['mandelbrot', '64', '48', '0', '48'], timeoutMs: 10000, maxMemoryBytes: 64 << 20, maxOutputBytes: 1 << 20 })
      assert.equal(r.exitCode, 0, text(r.stderr))
      assert.equal(r.stdout.length, 64 * 48 * 3)
    })
  })

  describe('hostile units', () => {
    afterEach(providerStillRuns)

    describe('time', () => {
      it('kills an infinite loop at its deadline', async () => {
        const started = performance.now()
        const err: any = await rejects(loop, 'SandboxTimeoutError', { timeoutMs: 400 })
        const elapsed = performance.now() - started
        assert.equal(err.timeoutMs, 400)
        assert.ok(elapsed >= 390 && elapsed < 1500, `killed after ${elapsed} ms`)
      })

      it('kills a unit sleeping past its deadline', async () => {
        const wasm = await unit(`
          (i32.store (i32.const 80) (i32.const 1))
          (i64.store (i32.const 88) (i64.const 3600000000000))
          (drop (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 8)))`, { imports: ['poll_oneoff'] })
        const started = performance.now()
        await rejects(wasm, 'SandboxTimeoutError', { timeoutMs: 300 })
        assert.ok(performance.now() - started < 1500)
      })

      it('keeps other units running while one loops', async () => {
        const looping = rejects(loop, 'SandboxTimeoutError', { timeoutMs: 1000 })
        const results = await Promise.all([1, 2, 3].map(async i => await run(good, { inputs: { 'in.txt': encoder.encode(`#${i}`) } })))
        assert.deepEqual(results.map(r => text(r.stdout)), ['hello #1', 'hello #2', 'hello #3'])
        await looping
      })
    })

    describe('memory', () => {
      const cap = { maxMemoryBytes: 2 << 20 }

      it('stops a memory.grow loop at the cap', async () => {
        const wasm = await unit('(loop $l (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (unreachable))) (br $l))')
        await rejects(wasm, 'SandboxMemoryError', cap)
      })

      it('stops one allocation past the cap, far below it', async () => {
        const wasm = await unit('(if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then (unreachable)))')
        await rejects(wasm, 'SandboxMemoryError', cap)
      })

      it('reports an exit with an error after a failed allocation as out of memory', async () => {
        const wasm = await unit('(if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then (call $proc_exit (i32.const 1))))', { imports: ['proc_exit'] })
        await rejects(wasm, 'SandboxMemoryError', cap)
      })

      it('lets a unit that copes with a failed allocation finish', async () => {
        const wasm = await unit('(if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then (call $print (i32.const 256) (i32.const 3))))',
          { extra: data(256, 'oom') })
        const r = await run(wasm, cap)
        assert.equal(r.exitCode, 0)
        assert.equal(text(r.stdout), 'oom')
      })

      it('reports a trap at the cap, with no failed allocation, as a trap', async () => {
        const wasm = await unit('(drop (memory.grow (i32.const 31))) (unreachable)')
        await rejects(wasm, 'SandboxTrapError', cap)
      })

      it('reports the memory a unit reached', async () => {
        const r = await run(await unit('(drop (memory.grow (i32.const 3)))'), cap)
        assert.equal(r.peakMemoryBytes, 4 * 65536)
      })

      it('refuses a module whose initial memory exceeds the cap', async () => {
        await rejects(await unit('', { memory: '1000' }), 'SandboxMemoryError', cap)
      })

      it('stops an AssemblyScript unit that allocates without end', async () => {
        await rejects(readFileSync(resolve(FIXTURES, 'as-oom.wasm')), 'SandboxMemoryError', { maxMemoryBytes: 8 << 20 })
      })
    })

    describe('output', () => {
      const bound = { maxOutputBytes: 1 << 20 }

      it('refuses a stdout flood', async () => {
        const err: any = await rejects(await unit('(loop $l (call $print (i32.const 0) (i32.const 65536)) (br $l))'), 'SandboxOutputError', bound)
        assert.equal(err.maxOutputBytes, 1 << 20)
      })

      it('refuses an output-file flood', async () => {
        const wasm = await fileUnit(`(local $fd i32)
          (drop (call $open (i32.const 4) (i32.const 256) (i32.const 5) (i32.const ${CREATE_TRUNC}) (i64.const ${WRITE})))
          (local.set $fd (i32.load (i32.const 12)))
          (loop $l (drop (call $write (local.get $fd) (i32.const 0) (i32.const 65536))) (br $l))`, data(256, 'flood'))
        await rejects(wasm, 'SandboxOutputError', bound)
      })

      it('refuses a write far past the end of a file', async () => {
        const wasm = await fileUnit(`(local $fd i32)
          (drop (call $open (i32.const 4) (i32.const 256) (i32.const 4) (i32.const ${CREATE_TRUNC}) (i64.const ${WRITE})))
          (local.set $fd (i32.load (i32.const 12)))
          (drop (call $fd_seek (local.get $fd) (i64.const 1099511627776) (i32.const 0) (i32.const 16)))
          (drop (call $write (local.get $fd) (i32.const 256) (i32.const 1)))`, data(256, 'hole'), ['fd_seek'])
        await rejects(wasm, 'SandboxOutputError', bound)
      })

      it('stops a unit that catches the refusal and carries on', async () => {
        const wasm = await unit(`
          (try (do (loop $l (call $print (i32.const 0) (i32.const 65536)) (br $l))) (catch_all))
          (call $print (i32.const 0) (i32.const 1))`)
        await rejects(wasm, 'SandboxOutputError', bound)
      })

      it('bounds the number of output files and their name length', async () => {
        const wasm = await fileUnit(`(local $i i32) (local $err i32)
          (loop $l
            (i32.store8 (i32.const 256) (i32.add (i32.const 97) (i32.div_u (local.get $i) (i32.const 26))))
            (i32.store8 (i32.const 257) (i32.add (i32.const 97) (i32.rem_u (local.get $i) (i32.const 26))))
            (local.set $err (call $open (i32.const 4) (i32.const 256) (i32.const 2) (i32.const ${CREATE_TRUNC}) (i64.const ${WRITE})))
            (if (i32.eqz (local.get $err)) (then
              (drop (call $fd_close (i32.load (i32.const 12))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l))))
          (call $print_num (local.get $err))
          (call $print_num (local.get $i))
          (memory.fill (i32.const 512) (i32.const 97) (i32.const 300))
          (call $print_num (call $open (i32.const 4) (i32.const 512) (i32.const 300) (i32.const ${CREATE_TRUNC}) (i64.const ${WRITE})))`)
        const r = await run(wasm)
        assert.equal(text(r.stdout), '51 256 37 ')
        assert.equal(Object.keys(r.files).length, 256)
      })

      it('keeps only the first 64 KiB of stderr', async () => {
        const wasm = await unit(`(local $i i32)
          (i32.store (i32.const 0) (i32.const 0))
          (i32.store (i32.const 4) (i32.const 65536))
          (loop $l
            (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 32))))`)
        const r = await run(wasm, { maxOutputBytes: 0 })
        assert.equal(r.stderr.length, 64 * 1024)
      })
    })

    describe('file system and network', () => {
      it('refuses paths out of the preopens and writes into /input, with an errno the unit sees', async () => {
        const open = (dir: number, at: number, len: number, oflags = 0, rights = READ): string =>
          `(call $print_num (call $open (i32.const ${dir}) (i32.const ${at}) (i32.const ${len}) (i32.const ${oflags}) (i64.const ${rights})))`
        const wasm = await fileUnit(`
          ${open(3, 256, 4)}
          ${open(3, 272, 11)}
          ${open(3, 288, 6, CREATE_TRUNC, WRITE)}
          ${open(3, 288, 6, 0, READ | WRITE)}
          ${open(4, 304, 15)}
          ${open(3, 320, 18)}
          ${open(3, 352, 7)}
          ${open(3, 288, 6)}
          (call $print_num (call $write (i32.load (i32.const 12)) (i32.const 288) (i32.const 6)))
          ${open(1, 288, 6)}
          ${open(99, 288, 6)}`,
        data(256, '../x') + data(272, '/etc/passwd') + data(288, 'in.txt') + data(304, '../input/in.txt') +
          data(320, 'a/../../etc/passwd') + data(352, 'missing'))
        const input = encoder.encode('secret')
        const r = await run(wasm, { inputs: { 'in.txt': input } })
        // NOTCAPABLE six times, NOENT, a read-only open, BADF on writing it, NOTDIR, BADF
        assert.equal(text(r.stdout), '76 76 76 76 76 76 44 0 8 54 8 ')
        assert.deepEqual(input, encoder.encode('secret'))
        assert.deepEqual(r.files, {})
      })

      it('answers sockets and file-system changes with ENOTCAPABLE, signals with ENOSYS', async () => {
        const wasm = await unit(`
          (call $print_num (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 12)))
          (call $print_num (call $sock_recv (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 8) (i32.const 12)))
          (call $print_num (call $sock_send (i32.const 3) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 8)))
          (call $print_num (call $sock_shutdown (i32.const 3) (i32.const 0)))
          (call $print_num (call $path_unlink_file (i32.const 3) (i32.const 256) (i32.const 1)))
          (call $print_num (call $path_rename (i32.const 4) (i32.const 256) (i32.const 1) (i32.const 4) (i32.const 256) (i32.const 1)))
          (call $print_num (call $path_symlink (i32.const 256) (i32.const 1) (i32.const 4) (i32.const 256) (i32.const 1)))
          (call $print_num (call $path_create_directory (i32.const 4) (i32.const 256) (i32.const 1)))
          (call $print_num (call $proc_raise (i32.const 9)))
          (call $print_num (call $fd_renumber (i32.const 3) (i32.const 4)))`, {
          imports: ['sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown', 'path_unlink_file', 'path_rename',
            'path_symlink', 'path_create_directory', 'proc_raise', 'fd_renumber'],
          extra: data(256, 'x')
        })
        assert.equal(text((await run(wasm)).stdout), '76 76 76 76 76 76 76 76 52 52 ')
      })

      it('answers EFAULT to pointers outside the unit memory', async () => {
        const wasm = await unit(`
          (call $print_num (call $fd_write (i32.const 1) (i32.const 70000) (i32.const 1) (i32.const 8)))
          (i32.store (i32.const 64) (i32.const 65000))
          (i32.store (i32.const 68) (i32.const 1000))
          (call $print_num (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 8)))
          (call $print_num (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const -1)))
          (call $print_num (call $fd_filestat_get (i32.const 3) (i32.const -4)))`, { imports: ['fd_filestat_get'] })
        assert.equal(text((await run(wasm)).stdout), '21 21 21 21 ')
      })
    })

    describe('modules that are not WASI commands', () => {
      const invalid = async (source: string, why: RegExp): Promise<void> => {
        const err = await rejects(await wat(source), 'InvalidModuleError')
        assert.match(err.message, why)
      }

      it('refuses an import outside wasi_snapshot_preview1', async () => {
        await invalid('(module (import "env" "foo" (func)) (memory (export "memory") 1) (func (export "_start")))', /env\.foo; only wasi_snapshot_preview1/)
      })

      it('refuses a preview1 name that does not exist, or a wrong signature', async () => {
        await invalid('(module (import "wasi_snapshot_preview1" "fd_magic" (func (result i32))) (memory (export "memory") 1) (func (export "_start")))', /no function fd_magic/)
        await invalid('(module (import "wasi_snapshot_preview1" "fd_write" (func (param i64) (result i32))) (memory (export "memory") 1) (func (export "_start")))', /wrong signature/)
      })

      it('refuses an imported memory', async () => {
        await invalid('(module (import "wasi_snapshot_preview1" "memory" (memory 1)) (export "memory" (memory 0)) (func (export "_start")))', /imports a memory/)
      })

      it('refuses a module without _start, without exported memory, or with a start section', async () => {
        await invalid('(module (memory (export "memory") 1))', /no _start/)
        await invalid('(module (memory 1) (func (export "_start")))', /export its memory/)
        await invalid('(module (memory (export "memory") 1) (func $f) (start $f) (func (export "_start")))', /start section/)
      })

      it('refuses garbage and truncated bytes', async () => {
        await rejects(encoder.encode('this is not WebAssembly'), 'InvalidModuleError')
        await rejects(good.subarray(0, good.length - 3), 'InvalidModuleError')
        await rejects(new Uint8Array(0), 'InvalidModuleError')
      })
    })

    describe('exit and traps', () => {
      it('returns the code given to proc_exit, with the output so far', async () => {
        const wasm = await unit('(call $print (i32.const 256) (i32.const 3)) (call $proc_exit (i32.const 3)) (unreachable)',
          { imports: ['proc_exit'], extra: data(256, 'bye') })
        const r = await run(wasm)
        assert.equal(r.exitCode, 3)
        assert.equal(text(r.stdout), 'bye')
      })

      it('reports unreachable, an out-of-bounds load and a stack overflow as traps', async () => {
        await rejects(await unit('(unreachable)'), 'SandboxTrapError')
        await rejects(await unit('(drop (i32.load (i32.const 70000)))'), 'SandboxTrapError')
        const err = await rejects(await unit('(call $deep)', { extra: '(func $deep (call $deep))' }), 'SandboxTrapError')
        assert.match(err.message, /stack/i)
      })
    })

    describe('abort', () => {
      it('kills a running unit when the signal aborts', async () => {
        const controller = new AbortController()
        setTimeout(() => { controller.abort() }, 100)
        const started = performance.now()
        await rejects(loop, 'AbortError', { timeoutMs: 10000, signal: controller.signal })
        assert.ok(performance.now() - started < 1500)
      })

      it('does not start a unit whose signal has already aborted', async () => {
        await rejects(good, 'AbortError', { signal: AbortSignal.abort() })
      })
    })
  })

  describe('options', () => {
    it('refuses options outside the sandbox bounds', async () => {
      await rejects(good, 'InvalidOptionError', { timeoutMs: 0 })
      await rejects(good, 'InvalidOptionError', { maxMemoryBytes: 1000 })
      await rejects(good, 'InvalidOptionError', { inputs: { '../x': new Uint8Array(1) } })
      await rejects(good, 'InvalidOptionError', { args: new Array(1000).fill('a') })
    })
  })
})
