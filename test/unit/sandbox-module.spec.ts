/**
 * The sandbox's module rewriter (prepareModule): the memory maximum is
 * rewritten to the cap, tables are capped, unsupported memories are
 * refused, and every memory.grow goes through the hook that flags a
 * failed grow, without changing what the module computes.
 */
import assert from 'node:assert/strict'
import { prepareModule } from '../../src/compute/sandbox/index.js'
import { GROW_FAILED_EXPORT } from '../../src/compute/sandbox/wasm-grow-hook.js'
import { SECTION, joinSections, putSection, splitSections } from '../../src/compute/sandbox/wasm-sections.js'
import { toText, wat } from '../fixtures/wasm/wat.js'

const PAGE = 65536

/** a bare command with the given memory declaration and extra fields */
async function command (memory: string, extra = ''): Promise<Uint8Array> {
  return await wat(`(module (memory (export "memory") ${memory}) ${extra} (func (export "_start")))`)
}

function throwsNamed (fn: () => unknown, name: string, why?: RegExp): void {
  assert.throws(fn, (err: any) => {
    assert.equal(err?.name, name, err?.message)
    if (why !== undefined) assert.match(err.message, why)
    return true
  })
}

function instantiate (bytes: Uint8Array): WebAssembly.Instance {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {})
}

describe('sandbox: module rewriter', () => {
  describe('memory', () => {
    it('adds the cap as the maximum of a memory that has none', async () => {
      const prepared = prepareModule(await command('1'), 16 * PAGE)
      assert.equal(prepared.capPages, 16)
      assert.match(await toText(prepared.bytes), /\(memory \(;0;\) 1 16\)/)
      const memory = instantiate(prepared.bytes).exports.memory as WebAssembly.Memory
      assert.equal(memory.grow(15), 1)
      assert.throws(() => memory.grow(1), RangeError)
    })

    it('lowers a larger maximum to the cap and keeps a smaller one', async () => {
      assert.match(await toText(prepareModule(await command('1 65536'), 16 * PAGE).bytes), /\(memory \(;0;\) 1 16\)/)
      assert.match(await toText(prepareModule(await command('2 8'), 16 * PAGE).bytes), /\(memory \(;0;\) 2 8\)/)
    })

    it('rounds the cap down to whole pages', async () => {
      assert.equal(prepareModule(await command('1'), 16 * PAGE + 100).capPages, 16)
    })

    it('refuses an initial memory above the cap', async () => {
      const bytes = await command('17')
      throwsNamed(() => prepareModule(bytes, 16 * PAGE), 'SandboxMemoryError', /initial memory/)
      assert.doesNotThrow(() => prepareModule(bytes, 17 * PAGE))
    })

    it('refuses 64-bit memory, several memories and no memory', async () => {
      throwsNamed(() => prepareModule(wasm64, 16 * PAGE), 'InvalidModuleError', /64-bit/)
      const sections = splitSections(await command('1'))
      putSection(sections, SECTION.memory, new Uint8Array([2, 0, 1, 0, 1]))
      throwsNamed(() => prepareModule(joinSections(sections), 16 * PAGE), 'InvalidModuleError', /2 memories/)
      const none = await wat('(module (memory $m 1) (export "memory" (memory $m)) (func (export "_start")))')
      const withoutMemory = splitSections(none).filter(s => s.id !== SECTION.memory && s.id !== SECTION.export)
      throwsNamed(() => prepareModule(joinSections(withoutMemory), 16 * PAGE), 'InvalidModuleError')
    })

    let wasm64: Uint8Array
    before(async () => { wasm64 = await command('i64 1') })
  })

  describe('tables', () => {
    it('caps a table without a maximum and refuses a huge one', async () => {
      const prepared = prepareModule(await command('1', '(table 10 funcref)'), 16 * PAGE)
      assert.match(await toText(prepared.bytes), /\(table \(;0;\) 10 100000 funcref\)/)
      const huge = await command('1', '(table 200000 funcref)')
      throwsNamed(() => prepareModule(huge, 16 * PAGE), 'InvalidModuleError', /table of 200000/)
    })
  })

  describe('the memory.grow hook', () => {
    const GROWER = `(module
      (memory (export "memory") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "_start") (drop (memory.grow (i32.const 0)))))`

    it('routes every memory.grow through one hook and flags a failed grow', async () => {
      const prepared = prepareModule(await wat(GROWER), 4 * PAGE)
      assert.equal(prepared.growHook, true)
      const textOf = await toText(prepared.bytes)
      assert.equal(textOf.match(/memory\.grow/g)?.length, 1, 'only the hook grows memory')
      const exports = instantiate(prepared.bytes).exports as any
      const flag = exports[GROW_FAILED_EXPORT] as WebAssembly.Global
      assert.equal(exports.grow(2), 1, 'a grow within the cap returns the old size')
      assert.equal(flag.value, 0)
      assert.equal(exports.grow(2), -1, 'a grow past the cap fails inside the module')
      assert.equal(flag.value, 1)
    })

    it('leaves a module that never grows its memory uninstrumented', async () => {
      const prepared = prepareModule(await command('1'), 4 * PAGE)
      assert.equal(prepared.growHook, false)
      assert.doesNotMatch(await toText(prepared.bytes), new RegExp(GROW_FAILED_EXPORT))
    })

    it('refuses a module that exports the hook flag itself', async () => {
      const bytes = await wat(`(module (memory (export "memory") 1) (global (export "${GROW_FAILED_EXPORT}") i32 (i32.const 1))
        (func (export "_start") (drop (memory.grow (i32.const 1)))))`)
      throwsNamed(() => prepareModule(bytes, 4 * PAGE), 'InvalidModuleError', /reserved/)
    })

    it('decodes every instruction family it meets and keeps what the module computes', async () => {
      // SIMD, bulk memory, br_table, call_indirect, typed select, exceptions, tail calls,
      // 64-bit and float constants, all around memory.grow
      const source = `(module
        (type $t (func (param i32) (result i32)))
        (memory (export "memory") 1)
        (table 2 funcref)
        (elem (i32.const 0) $double $tail)
        (tag $e (param i32))
        (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
        (func $tail (type $t) (return_call $double (local.get 0)))
        (func (export "calc") (result i32) (local $v v128) (local $x i32) (local $y i32)
          (local.set $v (i8x16.shuffle 1 0 3 2 5 4 7 6 9 8 11 10 13 12 15 14 (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8)))
          (local.set $x (i32x4.extract_lane 1 (local.get $v)))
          (memory.fill (i32.const 100) (i32.const 7) (i32.const 16))
          (memory.copy (i32.const 200) (i32.const 100) (i32.const 16))
          (local.set $x (i32.add (local.get $x) (i32.load8_u offset=3 (i32.const 200))))
          (local.set $x (i32.add (local.get $x) (memory.grow (i32.const 1))))
          (block $b2 (block $b1 (block $b0 (br_table $b0 $b1 $b2 (i32.const 1)))
            (local.set $x (i32.add (local.get $x) (i32.const 1000)))) ;; $b1 lands here
            (local.set $x (i32.add (local.get $x) (i32.const 100))))
          (local.set $x (i32.add (local.get $x) (call_indirect (type $t) (i32.const 21) (i32.const 1))))
          (local.set $x (select (result i32) (local.get $x) (i32.const 0) (i32.const 1)))
          (local.set $x (i32.add (local.get $x) (i32.wrap_i64 (i64.shr_u (i64.const 0x7fffffff00000000) (i64.const 60)))))
          (local.set $x (i32.add (local.get $x) (i32.trunc_f64_s (f64.add (f64.const 0.5) (f64.const 1.5)))))
          (try (do (throw $e (i32.const 5))) (catch $e (local.set $y) (local.set $x (i32.add (local.get $x) (i32.add (local.get $y) (memory.size))))))
          (local.get $x))
        (func (export "_start")))`
      const original = await wat(source)
      const prepared = prepareModule(original, 4 * PAGE)
      assert.equal(prepared.growHook, true)
      const expected = (instantiate(original).exports.calc as () => number)()
      assert.equal((instantiate(prepared.bytes).exports.calc as () => number)(), expected)
      // 512 (shuffled lane) + 7 + 1 (old size) + 100 (br_table) + 42 + 7 + 2 + 5 (thrown) + 2 (memory.size)
      assert.equal(expected, 678)
    })
  })

  describe('malformed bytes', () => {
    it('refuses bad magic, truncation and sections out of order', async () => {
      // a cut at a section boundary may still parse; the engine then refuses the result
      const good = await command('1')
      throwsNamed(() => prepareModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), PAGE), 'InvalidModuleError', /magic/)
      for (let cut = 8; cut < good.length; cut++) {
        let prepared: Uint8Array | undefined
        try {
          prepared = prepareModule(good.subarray(0, cut), PAGE).bytes
        } catch (err: any) {
          assert.equal(err.name, 'InvalidModuleError', `cut at ${cut}: ${err.message}`)
        }
        if (prepared !== undefined) assert.equal(WebAssembly.validate(prepared as Uint8Array<ArrayBuffer>), false, `cut at ${cut}`)
      }
      const sections = splitSections(good)
      throwsNamed(() => prepareModule(joinSections([...sections].reverse()), PAGE), 'InvalidModuleError', /out of order/)
    })
  })
})
