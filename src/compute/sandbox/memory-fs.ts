/**
 * The unit's whole file system, in memory: a read-only /input preopen
 * (fd 3) with the unit's inputs, a writable /output preopen (fd 4) that
 * collects its outputs, and stdio. Both directories are flat. There are no
 * links, and paths resolve only below a preopen: absolute paths and `..`
 * that would climb out of it are refused with ENOTCAPABLE.
 */
import { ByteBuffer } from './byte-buffer.js'
import { MAX_FILE_NAME_BYTES, MAX_OPEN_FDS, MAX_OUTPUT_FILES } from './constants.js'
import { Errno } from './guest-memory.js'
import type { OutputBudget } from './output-budget.js'
import { ERRNO, FDFLAGS, OFLAGS, RIGHTS } from './wasi-abi.js'

export interface FileNode { name: string, ino: number, data: ByteBuffer }

export interface DirNode {
  path: string
  ino: number
  writable: boolean
  files: Map<string, FileNode>
}

export type Handle =
  | { kind: 'stdin' | 'stdout' | 'stderr' }
  | { kind: 'dir', dir: DirNode, preopen: boolean }
  | { kind: 'file', dir: DirNode, file: FileNode, pos: number, write: boolean, append: boolean }

export type FileHandle = Extract<Handle, { kind: 'file' }>

export const INPUT_FD = 3
export const OUTPUT_FD = 4

const encoder = new TextEncoder()

export class MemoryFs {
  readonly input: DirNode
  readonly output: DirNode
  private readonly fds = new Map<number, Handle>()
  private nextIno = 3

  constructor (inputs: Record<string, Uint8Array>, private readonly budget: OutputBudget) {
    this.input = { path: '/input', ino: 1, writable: false, files: new Map() }
    this.output = { path: '/output', ino: 2, writable: true, files: new Map() }
    for (const [name, bytes] of Object.entries(inputs)) {
      this.input.files.set(name, { name, ino: this.nextIno++, data: new ByteBuffer(bytes) })
    }
    this.fds.set(0, { kind: 'stdin' })
    this.fds.set(1, { kind: 'stdout' })
    this.fds.set(2, { kind: 'stderr' })
    this.fds.set(INPUT_FD, { kind: 'dir', dir: this.input, preopen: true })
    this.fds.set(OUTPUT_FD, { kind: 'dir', dir: this.output, preopen: true })
  }

  get (fd: number): Handle {
    const h = this.fds.get(fd)
    if (h === undefined) throw new Errno(ERRNO.BADF)
    return h
  }

  file (fd: number): FileHandle {
    const h = this.get(fd)
    if (h.kind === 'dir') throw new Errno(ERRNO.ISDIR)
    if (h.kind !== 'file') throw new Errno(ERRNO.SPIPE)
    return h
  }

  dir (fd: number): DirNode {
    const h = this.get(fd)
    if (h.kind !== 'dir') throw new Errno(ERRNO.NOTDIR)
    return h.dir
  }

  close (fd: number): void {
    this.get(fd)
    this.fds.delete(fd)
  }

  /** the lowest free descriptor, as POSIX does */
  private allocate (h: Handle): number {
    if (this.fds.size >= MAX_OPEN_FDS) throw new Errno(ERRNO.MFILE)
    let fd = 0
    while (this.fds.has(fd)) fd++
    this.fds.set(fd, h)
    return fd
  }

  /**
   * The entry `path` names below `dir`: undefined for the directory
   * itself, else a file name (which may not exist yet).
   */
  resolve (dir: DirNode, path: string): string | undefined {
    if (path === '') throw new Errno(ERRNO.NOENT)
    if (path.includes('\0')) throw new Errno(ERRNO.INVAL)
    if (path.startsWith('/')) throw new Errno(ERRNO.NOTCAPABLE)
    const parts = path.split('/')
    let depth = 0
    for (const p of parts) {
      if (p === '..') depth--
      else if (p !== '' && p !== '.') depth++
      if (depth < 0) throw new Errno(ERRNO.NOTCAPABLE)
    }
    let name: string | undefined
    for (const p of parts.filter(p => p !== '' && p !== '.')) {
      // a name followed by anything must be a directory, and the preopens hold none
      if (name !== undefined) throw new Errno(dir.files.has(name) ? ERRNO.NOTDIR : ERRNO.NOENT)
      name = p
    }
    if (name !== undefined && path.endsWith('/')) throw new Errno(dir.files.has(name) ? ERRNO.NOTDIR : ERRNO.NOENT)
    if (name !== undefined && encoder.encode(name).length > MAX_FILE_NAME_BYTES) throw new Errno(ERRNO.NAMETOOLONG)
    return name
  }

  open (dirfd: number, path: string, oflags: number, rights: bigint, fdflags: number): number {
    const dir = this.dir(dirfd)
    const name = this.resolve(dir, path)
    const wantsWrite = (oflags & (OFLAGS.CREAT | OFLAGS.TRUNC)) !== 0 || (fdflags & FDFLAGS.APPEND) !== 0 ||
      (rights & RIGHTS.FD_WRITE) !== 0n
    if (name === undefined) {
      if ((oflags & OFLAGS.CREAT) !== 0 && (oflags & OFLAGS.EXCL) !== 0) throw new Errno(ERRNO.EXIST)
      if (wantsWrite) throw new Errno(dir.writable ? ERRNO.ISDIR : ERRNO.NOTCAPABLE)
      return this.allocate({ kind: 'dir', dir, preopen: false })
    }
    if (wantsWrite && !dir.writable) throw new Errno(ERRNO.NOTCAPABLE)
    let file = dir.files.get(name)
    if ((oflags & OFLAGS.DIRECTORY) !== 0) throw new Errno(file === undefined ? ERRNO.NOENT : ERRNO.NOTDIR)
    if (file !== undefined && (oflags & OFLAGS.CREAT) !== 0 && (oflags & OFLAGS.EXCL) !== 0) throw new Errno(ERRNO.EXIST)
    if (file === undefined) {
      if ((oflags & OFLAGS.CREAT) === 0) throw new Errno(ERRNO.NOENT)
      if (dir.files.size >= MAX_OUTPUT_FILES) throw new Errno(ERRNO.NOSPC)
      file = { name, ino: this.nextIno++, data: new ByteBuffer() }
    }
    const fd = this.allocate({ kind: 'file', dir, file, pos: 0, write: wantsWrite, append: (fdflags & FDFLAGS.APPEND) !== 0 })
    dir.files.set(name, file)
    if ((oflags & OFLAGS.TRUNC) !== 0) this.budget.resize(file.data, 0)
    return fd
  }

  /** positional read; returns bytes read */
  read (h: FileHandle, pos: number, dst: Uint8Array): number {
    return h.file.data.readAt(pos, dst)
  }

  /** positional write, charged to the output budget */
  write (h: FileHandle, pos: number, src: Uint8Array): void {
    if (!h.write) throw new Errno(ERRNO.BADF)
    this.budget.writeAt(h.file.data, pos, src)
  }

  truncate (h: FileHandle, size: number): void {
    if (!h.write) throw new Errno(ERRNO.BADF)
    this.budget.resize(h.file.data, size)
  }

  /** the output files, copied */
  outputs (): Array<[string, Uint8Array]> {
    return [...this.output.files.values()].map(f => [f.name, f.data.snapshot()])
  }
}
