import assert from 'node:assert/strict'
import { stackLogger } from '../../src/core/quiet-logger.js'

describe('the logger libp2p is given', () => {
  it('does nothing while DEBUG is unset or empty, at any scope', () => {
    for (const env of [{}, { DEBUG: '' }, { DEBUG: '  ' }]) {
      const log = stackLogger(env)?.forComponent('libp2p:tcp')
      assert.ok(log != null, JSON.stringify(env))
      assert.equal(log.enabled, false)
      const scoped = log.newScope('connection').newScope('stream')
      assert.equal(scoped.enabled, false)
      scoped('a message %s', 'x')
      scoped.error('an error %e', new Error('x'))
      scoped.trace('a trace')
    }
  })

  it('is libp2p\'s own (undefined: the default) when DEBUG is set, so logs can be turned on', () => {
    assert.equal(stackLogger({ DEBUG: 'peerhive:*' }), undefined)
  })
})
