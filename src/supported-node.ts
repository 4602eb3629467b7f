// Imported first by src/index.ts, so that on an old Node the import fails
// with UnsupportedNodeError and what to do, before any module that needs
// Node 22 runs. It imports nothing that needs Node 22 itself.
import { assertSupportedNode } from './core/node-version.js'

assertSupportedNode()
