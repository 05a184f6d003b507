// Label values are bounded whatever the input: methods, status classes and the first-come label index.
import t from '../helpers/cases.js'
import { LabelIndex, METHOD_LABELS, OTHER, methodIndex, statusClassIndex, STATUS_CLASS_LABELS } from '../../src/plugins/metrics/labels.js'

t.test('methods outside the standard set are OTHER', async t => {
  t.equal(METHOD_LABELS[methodIndex('GET')], 'GET')
  t.equal(METHOD_LABELS[methodIndex('PURGE')], 'PURGE')
  t.equal(METHOD_LABELS[methodIndex('PROPFIND')], 'OTHER')
  t.equal(METHOD_LABELS[methodIndex('get')], 'OTHER', 'methods are case-sensitive (RFC 9110 §9.1)')
})

t.test('status classes', async t => {
  t.equal(STATUS_CLASS_LABELS[statusClassIndex(204)], '2xx')
  t.equal(STATUS_CLASS_LABELS[statusClassIndex(429)], '4xx')
  t.equal(STATUS_CLASS_LABELS[statusClassIndex(599)], '5xx')
  t.equal(STATUS_CLASS_LABELS[statusClassIndex(600)], OTHER)
  t.equal(STATUS_CLASS_LABELS[statusClassIndex(0)], OTHER)
})

t.test('a label index keeps the first N values and folds the rest into other', async t => {
  const l = new LabelIndex(3, ['proxy'])
  const names = ['a', 'b', 'c', 'd', 'e', 'a'].map(v => l.names[l.index(v)])
  t.same(names, ['a', 'b', 'c', OTHER, OTHER, 'a'])
  t.equal(l.names[l.index('proxy')], 'proxy', 'presets always have their own value')
  for (let i = 0; i < 10_000; i++) l.index(`/p/${i}`)
  t.equal(l.size, 5, 'proxy, other and three values')
})
