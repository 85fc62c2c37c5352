// The decisions audit log, apart from everything else costplane deploys: a storage account in a
// resource group of its own, locked, which the Function App may only append to and read.
//
// Why a table in a locked group, and not an immutable blob container: the audit log is read
// newest first by a query (costplane.adapters.azure.tables, the `decision` partition), and
// time-based immutability exists for blobs only. What makes it survive instead:
//   - its own resource group: deleting costplane's resource group (or redeploying it) leaves
//     the log where it is;
//   - a CanNotDelete lock on that group: neither the group, nor the account, nor its table can
//     be deleted until an Owner removes the lock first (a deliberate, logged act);
//   - an append-only custom role for the function (read and Insert Entity, no update, no
//     delete): the function cannot rewrite or erase a decision, even if it were compromised;
//   - shared keys off: only Entra identities with a data role reach the entities, so an account
//     key cannot bypass that role.
// Locks govern the control plane only: a principal holding Storage Table Data Contributor here
// could still delete entities, so grant that role to nobody on this account.

@description('Region of the audit account.')
param location string

@description('Name of the audit storage account (computed by main.bicep, stable per subscription).')
param accountName string

@description('The Function App identity that appends decisions.')
param principalId string

@description('Id of the append-only audit role (main.bicep defines it at subscription scope).')
param appendRoleId string

@description('Tags on every resource.')
param tags object

// costplane.config.AzureSettings.audit_table's default.
var auditTableName = 'decisions'

resource lock 'Microsoft.Authorization/locks@2020-05-01' = {
  name: 'costplane-audit-log'
  properties: {
    level: 'CanNotDelete'
    notes: 'The costplane decisions audit log: remove this lock only to retire the log on purpose.'
  }
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:The Function App (Flex Consumption, no VNet integration) writes over the public endpoint; shared keys are disabled, so only Entra identities with a data role get in.
  // checkov:skip=CKV_AZURE_59:Same as CKV_AZURE_35; the account holds a table only and serves no blobs.
  // checkov:skip=CKV_AZURE_43:The name is computed in main.bicep (prefix, 'audit', uniqueString, cut to 24), so it is valid by construction and unknown to checkov.
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  // Geo-redundant: the audit log survives a regional outage.
  sku: {
    name: 'Standard_GRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource auditTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: auditTableName
}

resource appendAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(auditTable.id, principalId, appendRoleId)
  scope: auditTable
  properties: {
    roleDefinitionId: appendRoleId
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'costplane appends decisions to its audit log and reads them; it cannot change or delete one.'
  }
}

output accountName string = account.name
output tableName string = auditTable.name
