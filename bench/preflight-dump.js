// A cluster dump for the preflight figures of `npm run bench` (kubectl get ... -o json shape, or
// -o yaml: a List whose items start with "- " at column 0, as kubectl's go-yaml writes it):
// Kubeflow's namespaces and `kubeflow-edit`, then `n` profile-like namespaces, each with its
// `default-editor` ServiceAccount and RoleBinding and a NetworkPolicy. Written to `file`.
'use strict';
const fs = require('fs');
const { stringify } = require('yaml');

function writeDump(file, n, format = 'json') {
  const items = [];
  const ns = (name, labels = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  for (const s of ['kubeflow', 'istio-system', 'argo-events', 'auth', 'kubeflow-user-example-com']) items.push(ns(s));
  items.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'kubeflow-edit' }, rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create'] }] });
  for (let i = 0; i < n; i++) {
    const name = `profile-${i}`;
    items.push(ns(name, { 'istio-injection': 'enabled' }));
    items.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default-editor', namespace: name } });
    items.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'default-editor', namespace: name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubeflow-edit' }, subjects: [{ kind: 'ServiceAccount', name: 'default-editor', namespace: name }] });
    items.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-same-namespace', namespace: name }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } });
  }
  const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  fs.writeFileSync(file, format === 'yaml' ? stringify(list, { indentSeq: false }) : JSON.stringify(list));
  return fs.statSync(file).size;
}

module.exports = { writeDump };
