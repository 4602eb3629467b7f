/**
 * Our own WASI preview1 host. It gives the unit its arguments, an empty
 * environment, the in-memory file system of memory-fs.ts, captured
 * stdout/stderr, clocks and randomness, and nothing else: no real file,
 * no socket, no environment variable of the provider. Every other preview1
 * function answers ENOTCAPABLE (file system changes, sockets) or ENOSYS.
 */
import { ByteBuffer } from './byte-buffer.js'
import { STDERR_KEEP_BYTES } from './constants.js'
import { Errno, Fault, GuestMemory } from './guest-memory.js'
import { MemoryFs, type Handle } from './memory-fs.js'
import { BoundedSink, OutputBudget, OutputLimitExceeded } from './output-budget.js'
import { DIR_READ_RIGHTS, ERRNO, FDFLAGS, FILETYPE, FILE_READ_RIGHTS, FILE_WRITE_RIGHTS, RIGHTS, WASI_SIGNATURES, WHENCE } from './wasi-abi.js'
import { now, pollClocks, randomFill, resolution } from './wasi-time.js'

/** the unit called proc_exit */
export class ProcExit extends Error {
  constructor (readonly code: number) { super(`exit ${code}`) }
}

export interface WasiHostInit {
  args: string[]
  inputs: Record<string, Uint8Array>
  maxOutputBytes: number
}

const MAX_PATH_BYTES = 4096
const DIRENT_BYTES = 24
const FILESTAT_BYTES = 64
const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

const NOT_CAPABLE = new Set([
  'fd_allocate', 'fd_fdstat_set_rights', 'fd_filestat_set_times', 'path_create_directory', 'path_filestat_set_times',
  'path_link', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file',
  'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown'
])

type HostFunction = (...args: any[]) => number

export class WasiHost {
  readonly memory = new GuestMemory()
  readonly stdout = new ByteBuffer()
  readonly stderr = new BoundedSink(STDERR_KEEP_BYTES)
  readonly fs: MemoryFs
  private readonly budget: OutputBudget
  private readonly args: Uint8Array[]
  /**
   * Set once the unit exits or passes its output bound. It sticks: a
   * module that catches the exception (wasm exception handling can) gets it
   * again from every later call, so it cannot carry on as if nothing happened.
   */
  stopped?: ProcExit | OutputLimitExceeded

  constructor (init: WasiHostInit) {
    this.budget = new OutputBudget(init.maxOutputBytes)
    this.fs = new MemoryFs(init.inputs, this.budget)
    this.args = init.args.map(a => encoder.encode(a + '\0'))
  }

  /** the `wasi_snapshot_preview1` import object */
  imports (): Record<string, (...args: any[]) => number | undefined> {
    const handlers = this.handlers()
    const out: Record<string, (...args: any[]) => number | undefined> = {}
    for (const name of Object.keys(WASI_SIGNATURES)) {
      const errno = NOT_CAPABLE.has(name) ? ERRNO.NOTCAPABLE : ERRNO.NOSYS
      const fn = handlers[name] ?? (() => errno)
      out[name] = (...args: any[]) => {
        if (this.stopped !== undefined) throw this.stopped
        try {
          // every i32 of preview1 is unsigned; this also keeps `ptr + offset` from wrapping around
          return fn(...args.map(a => typeof a === 'number' ? a >>> 0 : a))
        } catch (err) {
          if (err instanceof Errno) return err.code
          if (err instanceof Fault) return ERRNO.FAULT
          if (err instanceof ProcExit || err instanceof OutputLimitExceeded) this.stopped = err
          throw err
        }
      }
    }
    return out
  }

  private path (ptr: number, len: number): string {
    if ((len >>> 0) > MAX_PATH_BYTES) throw new Errno(ERRNO.NAMETOOLONG)
    try {
      return strictUtf8.decode(this.memory.slice(ptr, len))
    } catch (err) {
      if (err instanceof Fault) throw err
      throw new Errno(ERRNO.ILSEQ)
    }
  }

  private writeTo (h: Handle, src: Uint8Array, at?: number): void {
    if (h.kind === 'stdout') this.budget.writeAt(this.stdout, this.stdout.size, src)
    else if (h.kind === 'stderr') this.stderr.write(src)
    else if (h.kind === 'file') {
      const pos = at ?? (h.append ? h.file.data.size : h.pos)
      this.fs.write(h, pos, src)
      if (at === undefined) h.pos = pos + src.length
    } else throw new Errno(h.kind === 'dir' ? ERRNO.ISDIR : ERRNO.BADF)
  }

  /** reads into `dst`; returns bytes read (stdin is always at its end) */
  private readFrom (h: Handle, dst: Uint8Array, at?: number): number {
    if (h.kind === 'stdin') return 0
    if (h.kind !== 'file') throw new Errno(h.kind === 'dir' ? ERRNO.ISDIR : ERRNO.BADF)
    const n = this.fs.read(h, at ?? h.pos, dst)
    if (at === undefined) h.pos += n
    return n
  }

  private writeFilestat (ptr: number, h: Handle): void {
    const m = this.memory
    m.slice(ptr, FILESTAT_BYTES).fill(0)
    if (h.kind === 'dir') {
      m.setU64(ptr + 8, BigInt(h.dir.ino))
      m.setU8(ptr + 16, FILETYPE.DIRECTORY)
    } else if (h.kind === 'file') {
      m.setU64(ptr + 8, BigInt(h.file.ino))
      m.setU8(ptr + 16, FILETYPE.REGULAR_FILE)
      m.setU64(ptr + 32, BigInt(h.file.data.size))
    } else {
      m.setU8(ptr + 16, FILETYPE.CHARACTER_DEVICE)
    }
    m.setU64(ptr + 24, 1n) // nlink
  }

  private handlers (): Record<string, HostFunction> {
    const m = this.memory
    const fs = this.fs
    const argBytes = this.args.reduce((n, a) => n + a.length, 0)
    const ok = ERRNO.SUCCESS
    const offset = (value: bigint): number => {
      if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Errno(ERRNO.INVAL)
      return Number(value)
    }

    return {
      args_sizes_get: (argcPtr: number, sizePtr: number) => {
        m.setU32(argcPtr, this.args.length)
        m.setU32(sizePtr, argBytes)
        return ok
      },
      args_get: (argvPtr: number, bufPtr: number) => {
        let at = bufPtr >>> 0
        this.args.forEach((a, i) => {
          m.setU32((argvPtr >>> 0) + i * 4, at)
          m.write(at, a)
          at += a.length
        })
        return ok
      },
      environ_sizes_get: (countPtr: number, sizePtr: number) => {
        m.setU32(countPtr, 0)
        m.setU32(sizePtr, 0)
        return ok
      },
      environ_get: () => ok,
      clock_res_get: (id: number, ptr: number) => { m.setU64(ptr, resolution(id)); return ok },
      clock_time_get: (id: number, _precision: bigint, ptr: number) => { m.setU64(ptr, now(id)); return ok },
      random_get: (ptr: number, len: number) => { randomFill(m, ptr, len); return ok },
      poll_oneoff: (inPtr: number, outPtr: number, count: number, neventsPtr: number) => {
        m.setU32(neventsPtr, pollClocks(m, inPtr, outPtr, count >>> 0))
        return ok
      },
      sched_yield: () => ok,
      proc_exit: (code: number) => { throw new ProcExit(code >>> 0) },

      fd_write: (fd: number, iovs: number, count: number, nPtr: number) => {
        m.u32(nPtr) // a bad result pointer fails the call before it has any effect
        const h = fs.get(fd)
        let total = 0
        for (const v of m.iovecs(iovs, count)) {
          this.writeTo(h, m.slice(v.ptr, v.len))
          total += v.len
        }
        m.setU32(nPtr, total)
        return ok
      },
      fd_pwrite: (fd: number, iovs: number, count: number, at: bigint, nPtr: number) => {
        m.u32(nPtr)
        const h = fs.file(fd)
        let pos = offset(at)
        for (const v of m.iovecs(iovs, count)) {
          this.writeTo(h, m.slice(v.ptr, v.len), pos)
          pos += v.len
        }
        m.setU32(nPtr, pos - Number(at))
        return ok
      },
      fd_read: (fd: number, iovs: number, count: number, nPtr: number) => {
        m.u32(nPtr)
        const h = fs.get(fd)
        let total = 0
        for (const v of m.iovecs(iovs, count)) {
          const n = this.readFrom(h, m.slice(v.ptr, v.len))
          total += n
          if (n < v.len) break
        }
        m.setU32(nPtr, total)
        return ok
      },
      fd_pread: (fd: number, iovs: number, count: number, at: bigint, nPtr: number) => {
        m.u32(nPtr)
        const h = fs.file(fd)
        let pos = offset(at)
        for (const v of m.iovecs(iovs, count)) {
          const n = this.readFrom(h, m.slice(v.ptr, v.len), pos)
          pos += n
          if (n < v.len) break
        }
        m.setU32(nPtr, pos - Number(at))
        return ok
      },
      fd_seek: (fd: number, delta: bigint, whence: number, newPtr: number) => {
        const h = fs.file(fd)
        const base = whence === WHENCE.SET ? 0 : whence === WHENCE.CUR ? h.pos : whence === WHENCE.END ? h.file.data.size : -1
        if (base < 0) throw new Errno(ERRNO.INVAL)
        h.pos = offset(BigInt(base) + delta)
        m.setU64(newPtr, BigInt(h.pos))
        return ok
      },
      fd_tell: (fd: number, ptr: number) => { m.setU64(ptr, BigInt(fs.file(fd).pos)); return ok },
      fd_close: (fd: number) => { fs.close(fd); return ok },
      fd_advise: (fd: number) => { fs.get(fd); return ok },
      fd_datasync: (fd: number) => { fs.get(fd); return ok },
      fd_sync: (fd: number) => { fs.get(fd); return ok },
      fd_fdstat_get: (fd: number, ptr: number) => {
        const h = fs.get(fd)
        let type: number = FILETYPE.CHARACTER_DEVICE
        let flags = 0
        let base = h.kind === 'stdin' ? RIGHTS.FD_READ | RIGHTS.POLL_FD_READWRITE : RIGHTS.FD_WRITE | RIGHTS.POLL_FD_READWRITE
        let inheriting = 0n
        if (h.kind === 'dir') {
          type = FILETYPE.DIRECTORY
          base = DIR_READ_RIGHTS | (h.dir.writable ? RIGHTS.PATH_CREATE_FILE : 0n)
          inheriting = FILE_READ_RIGHTS | (h.dir.writable ? FILE_WRITE_RIGHTS : 0n)
        } else if (h.kind === 'file') {
          type = FILETYPE.REGULAR_FILE
          flags = h.append ? FDFLAGS.APPEND : 0
          base = FILE_READ_RIGHTS | (h.write ? FILE_WRITE_RIGHTS : 0n)
        }
        m.slice(ptr, 24).fill(0)
        m.setU8(ptr, type)
        m.setU16(ptr + 2, flags)
        m.setU64(ptr + 8, base)
        m.setU64(ptr + 16, inheriting)
        return ok
      },
      fd_filestat_get: (fd: number, ptr: number) => { this.writeFilestat(ptr, fs.get(fd)); return ok },
      fd_filestat_set_size: (fd: number, size: bigint) => { fs.truncate(fs.file(fd), offset(size)); return ok },
      fd_prestat_get: (fd: number, ptr: number) => {
        const h = fs.get(fd)
        if (h.kind !== 'dir' || !h.preopen) throw new Errno(ERRNO.BADF)
        m.setU32(ptr, 0) // tag 0: a directory
        m.setU32(ptr + 4, encoder.encode(h.dir.path).length)
        return ok
      },
      fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
        const h = fs.get(fd)
        if (h.kind !== 'dir' || !h.preopen) throw new Errno(ERRNO.BADF)
        const name = encoder.encode(h.dir.path)
        if ((len >>> 0) < name.length) throw new Errno(ERRNO.NAMETOOLONG)
        m.write(ptr, name)
        return ok
      },
      fd_readdir: (fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number) => {
        const dir = fs.dir(fd)
        const out = m.slice(buf, bufLen)
        const files = [...dir.files.values()]
        let used = 0
        for (let i = Number(cookie > BigInt(files.length) ? BigInt(files.length) : cookie); i < files.length && used < out.length; i++) {
          const name = encoder.encode(files[i].name)
          const entry = new Uint8Array(DIRENT_BYTES + name.length)
          const view = new DataView(entry.buffer)
          view.setBigUint64(0, BigInt(i + 1), true) // d_next: the cookie of the next entry
          view.setBigUint64(8, BigInt(files[i].ino), true)
          view.setUint32(16, name.length, true)
          view.setUint8(20, FILETYPE.REGULAR_FILE)
          entry.set(name, DIRENT_BYTES)
          const n = Math.min(entry.length, out.length - used) // a full buffer tells the module to call again
          out.set(entry.subarray(0, n), used)
          used += n
        }
        m.setU32(usedPtr, used)
        return ok
      },
      path_open: (dirfd: number, _dirflags: number, pathPtr: number, pathLen: number, oflags: number,
        rights: bigint, _inheriting: bigint, fdflags: number, fdPtr: number) => {
        const path = this.path(pathPtr, pathLen)
        m.u32(fdPtr) // check the result pointer before anything is created
        m.setU32(fdPtr, fs.open(dirfd, path, oflags, rights, fdflags))
        return ok
      },
      path_filestat_get: (dirfd: number, _flags: number, pathPtr: number, pathLen: number, ptr: number) => {
        const dir = fs.dir(dirfd)
        const name = fs.resolve(dir, this.path(pathPtr, pathLen))
        if (name === undefined) {
          this.writeFilestat(ptr, { kind: 'dir', dir, preopen: false })
        } else {
          const file = dir.files.get(name)
          if (file === undefined) throw new Errno(ERRNO.NOENT)
          this.writeFilestat(ptr, { kind: 'file', dir, file, pos: 0, write: false, append: false })
        }
        return ok
      }
    }
  }

  /** what the unit wrote, copied out of the host */
  results (): { stdout: Uint8Array, stderr: Uint8Array, files: Array<[string, Uint8Array]> } {
    return { stdout: this.stdout.snapshot(), stderr: this.stderr.snapshot(), files: this.fs.outputs() }
  }
}
