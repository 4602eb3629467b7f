// Small I/O helpers shared by the example compute applications.
// They talk to WASI directly because the shim's stream writer issues a single
// fd_write and ignores short writes, which a sandbox with pipes may produce.

import {
  fd_write,
  proc_exit,
  errno,
  errnoToString
} from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";

export const STDOUT: u32 = 1;
export const STDERR: u32 = 2;

// One iovec plus the nwritten slot, reused by every write.
const iov = memory.data(3 * sizeof<usize>());

/** Writes all `len` bytes at `ptr` to `fd`; returns the first error, if any. */
export function writeAll(fd: u32, ptr: usize, len: usize): errno {
  while (len > 0) {
    store<usize>(iov, ptr);
    store<usize>(iov, len, sizeof<usize>());
    const err = fd_write(fd, iov, 1, iov + 2 * sizeof<usize>());
    if (err != errno.SUCCESS) return err;
    const written = load<usize>(iov, 2 * sizeof<usize>());
    if (written == 0) return errno.IO;
    ptr += written;
    len -= written;
  }
  return errno.SUCCESS;
}

/** Writes text to stderr as UTF-8, ignoring errors (nothing better to do). */
export function printError(text: string): void {
  const bytes = String.UTF8.encode(text);
  writeAll(STDERR, changetype<usize>(bytes), <usize>bytes.byteLength);
}

/** Prints `app: message` on stderr and ends the process with `code`. */
export function fail(app: string, message: string, code: i32): void {
  printError(app + ": " + message + "\n");
  proc_exit(code);
}

/** Writes to stdout or ends the process with exit code 1 if the host refuses. */
export function writeStdout(app: string, ptr: usize, len: usize): void {
  const err = writeAll(STDOUT, ptr, len);
  if (err != errno.SUCCESS) fail(app, "cannot write output: " + errnoToString(err), 1);
}

/** A growable raw byte buffer (the stub runtime never frees, so it only doubles). */
export class Bytes {
  ptr: usize;
  length: usize = 0;
  capacity: usize;

  constructor(capacity: usize) {
    this.capacity = capacity;
    this.ptr = heap.alloc(capacity);
  }

  // @ts-ignore: decorator
  @inline push(byte: u8): void {
    if (this.length == this.capacity) this.grow(1);
    store<u8>(this.ptr + this.length++, byte);
  }

  append(src: usize, len: usize): void {
    if (this.length + len > this.capacity) this.grow(len);
    memory.copy(this.ptr + this.length, src, len);
    this.length += len;
  }

  grow(extra: usize): void {
    let capacity = this.capacity << 1;
    while (capacity < this.length + extra) capacity <<= 1;
    this.ptr = heap.realloc(this.ptr, capacity);
    this.capacity = capacity;
  }
}
