/** Hard bounds of the sandbox. Options are checked against them. */

/** WebAssembly page size in bytes. */
export const WASM_PAGE_BYTES = 65536

/** Largest module accepted, in bytes. */
export const MAX_MODULE_BYTES = 64 * 1024 * 1024

/** The largest memory cap an option may ask for: 4 GiB, all of wasm32. */
export const MAX_MEMORY_BYTES = 65536 * WASM_PAGE_BYTES

/** The largest output bound an option may ask for. */
export const MAX_OUTPUT_BYTES = 1024 * 1024 * 1024

/** Table elements a module may have; tables live outside the memory cap. */
export const MAX_TABLE_ELEMENTS = 100_000

/** Bounds on the unit's arguments. */
export const MAX_ARGS = 256
export const MAX_ARGS_BYTES = 64 * 1024

/** Bounds on the unit's input files. */
export const MAX_INPUT_FILES = 1024
export const MAX_INPUT_BYTES = 512 * 1024 * 1024

/** Output files a unit may create. */
export const MAX_OUTPUT_FILES = 256

/** Longest file name, in UTF-8 bytes (inputs and outputs). */
export const MAX_FILE_NAME_BYTES = 255

/** Open file descriptors a unit may hold at once, stdio and preopens included. */
export const MAX_OPEN_FDS = 128

/** stderr kept for diagnosis; the rest is dropped (and does not count as output). */
export const STDERR_KEEP_BYTES = 64 * 1024

/** The sandbox worker's JS heap; wasm memory is capped separately, in the module. */
export const WORKER_OLD_GENERATION_MB = 64
export const WORKER_YOUNG_GENERATION_MB = 16
export const WORKER_STACK_MB = 4

/** The only import namespace a unit may use. */
export const WASI_MODULE = 'wasi_snapshot_preview1'
