/**
 * WASI preview1 constants and signatures: the numbers a module sees.
 * Signatures are written as parameter letters, '>' and result letters,
 * where i is i32 and I is i64.
 */

export const ERRNO = {
  SUCCESS: 0,
  TOOBIG: 1,
  BADF: 8,
  EXIST: 20,
  FAULT: 21,
  FBIG: 22,
  ILSEQ: 25,
  INVAL: 28,
  ISDIR: 31,
  MFILE: 33,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSPC: 51,
  NOSYS: 52,
  NOTDIR: 54,
  NOTSUP: 58,
  OVERFLOW: 61,
  SPIPE: 70,
  NOTCAPABLE: 76
} as const

export const FILETYPE = {
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4
} as const

export const CLOCK = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const
export const WHENCE = { SET: 0, CUR: 1, END: 2 } as const
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const
export const FDFLAGS = { APPEND: 1 } as const
export const SUBSCRIPTION_CLOCK = 0
export const SUBCLOCK_ABSTIME = 1

/** rights bits (preview1 `rights`), as bigint since they are 64 bits wide */
export const RIGHTS = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_FILESTAT_GET: 1n << 18n,
  FD_FILESTAT_GET: 1n << 21n,
  FD_FILESTAT_SET_SIZE: 1n << 22n,
  POLL_FD_READWRITE: 1n << 27n
} as const

export const FILE_READ_RIGHTS = RIGHTS.FD_READ | RIGHTS.FD_SEEK | RIGHTS.FD_TELL | RIGHTS.FD_ADVISE |
  RIGHTS.FD_FILESTAT_GET | RIGHTS.POLL_FD_READWRITE
export const FILE_WRITE_RIGHTS = RIGHTS.FD_WRITE | RIGHTS.FD_DATASYNC | RIGHTS.FD_SYNC |
  RIGHTS.FD_ALLOCATE | RIGHTS.FD_FILESTAT_SET_SIZE
export const DIR_READ_RIGHTS = RIGHTS.PATH_OPEN | RIGHTS.FD_READDIR | RIGHTS.PATH_FILESTAT_GET | RIGHTS.FD_FILESTAT_GET

/** every preview1 function and its signature; a module may import nothing else */
export const WASI_SIGNATURES: Readonly<Record<string, string>> = {
  args_get: 'ii>i',
  args_sizes_get: 'ii>i',
  environ_get: 'ii>i',
  environ_sizes_get: 'ii>i',
  clock_res_get: 'ii>i',
  clock_time_get: 'iIi>i',
  fd_advise: 'iIIi>i',
  fd_allocate: 'iII>i',
  fd_close: 'i>i',
  fd_datasync: 'i>i',
  fd_fdstat_get: 'ii>i',
  fd_fdstat_set_flags: 'ii>i',
  fd_fdstat_set_rights: 'iII>i',
  fd_filestat_get: 'ii>i',
  fd_filestat_set_size: 'iI>i',
  fd_filestat_set_times: 'iIIi>i',
  fd_pread: 'iiiIi>i',
  fd_prestat_get: 'ii>i',
  fd_prestat_dir_name: 'iii>i',
  fd_pwrite: 'iiiIi>i',
  fd_read: 'iiii>i',
  fd_readdir: 'iiiIi>i',
  fd_renumber: 'ii>i',
  fd_seek: 'iIii>i',
  fd_sync: 'i>i',
  fd_tell: 'ii>i',
  fd_write: 'iiii>i',
  path_create_directory: 'iii>i',
  path_filestat_get: 'iiiii>i',
  path_filestat_set_times: 'iiiiIIi>i',
  path_link: 'iiiiiii>i',
  path_open: 'iiiiiIIii>i',
  path_readlink: 'iiiiii>i',
  path_remove_directory: 'iii>i',
  path_rename: 'iiiiii>i',
  path_symlink: 'iiiii>i',
  path_unlink_file: 'iii>i',
  poll_oneoff: 'iiii>i',
  proc_exit: 'i>',
  proc_raise: 'i>i',
  sched_yield: '>i',
  random_get: 'ii>i',
  sock_accept: 'iii>i',
  sock_recv: 'iiiiii>i',
  sock_send: 'iiiii>i',
  sock_shutdown: 'ii>i'
}

/** the signature letters of a function type, or undefined when it uses other types */
export function signatureLetters (params: string[], results: string[]): string | undefined {
  const letter = (t: string): string | undefined => t === 'i32' ? 'i' : t === 'i64' ? 'I' : undefined
  const ps = params.map(letter)
  const rs = results.map(letter)
  if (ps.includes(undefined) || rs.includes(undefined)) return undefined
  return `${ps.join('')}>${rs.join('')}`
}
