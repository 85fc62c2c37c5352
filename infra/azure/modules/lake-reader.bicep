// Read-only access to the lake's container for the Function App: the budgets read actuals and
// prices from the Iceberg tables there (costplane.billing.lake.table.read_lake, which creates
// nothing). Deployed in the lake's own resource group, wherever cost ingest writes it.

@description('Name of the storage account that holds the lake.')
param accountName string

@description('Container of the lake (its warehouse) in that account.')
param containerName string

@description('The Function App identity that reads the lake.')
param principalId string

// Built-in role id (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource lake 'containers' existing = {
      name: containerName
    }
  }
}

resource lakeRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account::blobService::lake.id, principalId, storageBlobDataReader)
  scope: account::blobService::lake
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'costplane budgets read the lake (actuals, prices, forecasts); they never write it.'
  }
}
