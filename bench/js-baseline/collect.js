// The collection `vaultproof collect` does live, written the way a user would with the
// Azure SDK for JavaScript: every subscription, its Recovery Services vaults and VMs, the
// soft-deleted vaults of each location its vaults are in, per vault the backup policies,
// protected items, resource guard proxies, backup engines, vault config and storage
// config, and each resource guard a proxy names, once (GET by id through the SDK's
// pipeline: there is no Microsoft.DataProtection package in the registry this bench
// installs from). Pages are followed by the SDK's iterators; at most 8 vaults are read
// at once (the same bound as vaultproof's default). Used by bench/live-collect.sh against
// the ARM emulator; prints counts as one JSON line.
//
// Environment: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, ARM_ENDPOINT,
// AUTHORITY_HOST, and NODE_EXTRA_CA_CERTS (the emulator's CA). STATIC_ACCESS_TOKEN, when
// set, replaces @azure/identity with a fixed bearer token (for an authority whose OpenID
// metadata MSAL does not accept); the ARM traffic, which is what is measured, is the same.
"use strict";

const { ClientSecretCredential } = require("@azure/identity");
const { SubscriptionClient } = require("@azure/arm-resources-subscriptions");
const { RecoveryServicesClient } = require("@azure/arm-recoveryservices");
const { RecoveryServicesBackupClient } = require("@azure/arm-recoveryservicesbackup");
const { ComputeManagementClient } = require("@azure/arm-compute");
const { ServiceClient } = require("@azure/core-client");
const { createPipelineRequest } = require("@azure/core-rest-pipeline");

const CONCURRENCY = 8;

async function all(iter) {
  const out = [];
  for await (const x of iter) out.push(x);
  return out;
}

// Runs fn over items with at most `limit` in flight.
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function main() {
  const endpoint = process.env.ARM_ENDPOINT;
  const fixed = process.env.STATIC_ACCESS_TOKEN;
  const credential = fixed
    ? { getToken: async () => ({ token: fixed, expiresOnTimestamp: Date.now() + 3600 * 1000 }) }
    : new ClientSecretCredential(
      process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET,
      { authorityHost: process.env.AUTHORITY_HOST, disableInstanceDiscovery: true });
  const options = { endpoint };
  const subs = await all(new SubscriptionClient(credential, options).subscriptions.list());
  const counts = { subscriptions: subs.length, vaults: 0, vms: 0, policies: 0, items: 0, proxies: 0, configs: 0,
                   engines: 0, deletedVaults: 0, guards: 0, guardsUnreadable: 0 };
  const arm = new ServiceClient({ credential, credentialScopes: ["https://management.azure.com/.default"],
                                  endpoint });
  const guards = new Map(); // lowercase id -> id, each GET once
  for (const sub of subs) {
    const id = sub.subscriptionId;
    const rs = new RecoveryServicesClient(credential, id, options);
    const backup = new RecoveryServicesBackupClient(credential, id, options);
    const compute = new ComputeManagementClient(credential, id, options);
    const [vaults, vms] = await Promise.all([all(rs.vaults.listBySubscriptionId()),
                                             all(compute.virtualMachines.listAll())]);
    counts.vaults += vaults.length;
    counts.vms += vms.length;
    const locations = [...new Set(vaults.map((v) => v.location.replace(/ /g, "").toLowerCase()))];
    for (const loc of locations) counts.deletedVaults += (await all(rs.deletedVaults.listBySubscriptionId(loc))).length;
    await pool(vaults, CONCURRENCY, async (v) => {
      const rg = v.id.split("/")[4];
      const [policies, items, proxies, engines] = await Promise.all([
        all(backup.backupPolicies.list(v.name, rg)),
        all(backup.backupProtectedItems.list(v.name, rg)),
        all(backup.resourceGuardProxies.list(v.name, rg)),
        all(backup.backupEngines.list(v.name, rg)),
      ]);
      await backup.backupResourceVaultConfigs.get(v.name, rg);
      await backup.backupResourceStorageConfigsNonCRR.get(v.name, rg);
      counts.policies += policies.length;
      counts.items += items.length;
      counts.proxies += proxies.length;
      counts.engines += engines.length;
      counts.configs += 2;
      for (const p of proxies) {
        const g = p.properties && p.properties.resourceGuardResourceId;
        if (g && !guards.has(g.toLowerCase())) guards.set(g.toLowerCase(), g);
      }
    });
  }
  await pool([...guards.values()], CONCURRENCY, async (id) => {
    const res = await arm.sendRequest(createPipelineRequest({
      url: `${endpoint}${id}?api-version=2025-09-01`, method: "GET" }));
    if (res.status === 200) counts.guards += 1;
    else counts.guardsUnreadable += 1;
  });
  process.stdout.write(JSON.stringify(counts) + "\n");
}

main().catch((e) => {
  process.stderr.write(`js-baseline: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
