// The Function App and what it runs on, in costplane's resource group: a Flex Consumption plan
// (Linux, Python 3.11), one storage account reached only with Entra identities (the host's
// AzureWebJobsStorage, the deployment package, the state table, the dead-letter container),
// Application Insights on a Log Analytics workspace.

@description('Region of every resource in this module.')
param location string

@description('Prefix of resource names.')
param namePrefix string

@description('dry-run decides and records; enforce also tags, marks and deallocates.')
@allowed([
  'dry-run'
  'enforce'
])
param mode string

@description('Path of the taxonomy file in the deployed package; empty uses the bundled example.')
param taxonomyPath string

@description('Path of the policy file in the deployed package; empty uses the bundled example.')
param policiesPath string

@description('Path of the budgets file in the deployed package; empty uses the bundled example.')
param budgetsPath string

@description('Storage account of the decisions audit log (modules/audit.bicep, its own locked group).')
param auditAccountName string

@description('The lake\'s catalog type (rest, sql); empty: no lake.')
param lakeCatalogType string

@description('The lake catalog\'s URI.')
param lakeCatalogUri string

@description('The lake\'s warehouse.')
param lakeCatalogWarehouse string

@description('Namespace of the lake\'s tables.')
param lakeCatalogNamespace string

@description('Storage account of the lake\'s files (abfss://), read with the app\'s identity.')
param lakeStorageAccountName string

@description('Upper bound on function instances.')
param maximumInstanceCount int

@description('Days the Log Analytics workspace keeps logs.')
param logRetentionDays int

@description('NCRONTAB schedule (UTC) of the mark sweep: a due mark is carried out within one interval.')
param sweepSchedule string

@description('Key Vault secret holding the AI vendors\' admin keys (JSON); empty: no AI usage pull.')
param aiAdminKeysSecretName string

@description('NCRONTAB schedule (UTC) of the AI usage pull.')
param aiPullSchedule string

@description('Tags on every resource.')
param tags object

@description('Key Vault secret holding the Slack app\'s signing secret; empty: no Slack callbacks.')
param slackSigningSecretName string

@description('Key Vault secret holding the Slack bot token; empty: no posting to Slack.')
param slackBotTokenSecretName string

@description('Slack channel id approval requests go to.')
param slackChannel string

@description('The Teams bot\'s Entra app id; empty: no Teams callbacks.')
param teamsAppId string

@description('Tenant of a single-tenant Teams bot\'s app; empty uses the Bot Framework\'s.')
param teamsTenant string

@description('Key Vault secret holding the Teams bot\'s client secret; empty: no posting to Teams.')
param teamsAppPasswordSecretName string

@description('Bot Connector URL approval cards are posted to.')
param teamsServiceUrl string

@description('Teams conversation id approval cards are posted to.')
param teamsConversation string

@description('Key Vault secret holding the resume route\'s signing key; empty: no resume route.')
param resumeSigningSecretName string

@description('Key Vault secret holding an OpenAI admin key; empty: no OpenAI levers.')
param openAiAdminKeySecretName string

@description('Key Vault secret holding an Anthropic admin key; empty: no Anthropic levers.')
param anthropicAdminKeySecretName string

var suffix = uniqueString(resourceGroup().id)
var storageAccountName = take(toLower('${replace(namePrefix, '-', '')}${suffix}'), 24)
var functionAppName = '${namePrefix}-${suffix}'
// The table costplane.adapters.azure.settings.AzureSettings names by default (state_table).
var stateTableName = 'costplane'
var deploymentContainerName = 'deployments'
var deadLetterContainerName = 'deadletter'
// Where the AI usage pull lands its reports; the host's Storage Blob Data Owner covers it.
var aiUsageContainerName = 'ai-usage'

// Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

// Approvals: the channels' secrets live in the vault (empty until someone sets them); the HTTP
// route (approvals/slack, /teams, /resume) runs when a callback can be verified, and is disabled
// otherwise.
var callbacksConfigured = !empty(slackSigningSecretName) || !empty(teamsAppId) || !empty(resumeSigningSecretName)
var keyVaultName = take('${namePrefix}-kv-${suffix}', 24)
var keyVaultSecrets = '${vault.properties.vaultUri}secrets'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-insights-${suffix}'
  location: location
  kind: 'web'
  tags: tags
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Telemetry is sent with the app's identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:A Flex Consumption app without VNet integration reaches its storage over the public endpoint; shared keys are disabled, so only Entra identities with a data role get in.
  // checkov:skip=CKV_AZURE_59:Same as CKV_AZURE_35; blob public access is off (allowBlobPublicAccess).
  // checkov:skip=CKV_AZURE_43:The name is computed (prefix without hyphens, lowercased, plus uniqueString, cut to 24), so it is valid by construction and unknown to checkov.
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  // Geo-redundant: the state table (claims, approvals, budgets) survives a regional outage.
  sku: {
    name: 'Standard_GRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Every client (the Functions host, costplane, Event Grid's dead-lettering) uses Entra ID.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Identity, not network, is the boundary here (see the checkov skips above).
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource aiUsageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: aiUsageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource stateTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: stateTableName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109:A Flex Consumption app without VNet integration reaches the vault over its public endpoint; access is Entra RBAC only (enableRbacAuthorization), granted to the app's identity on this vault alone.
  // checkov:skip=CKV_AZURE_189:Same as CKV_AZURE_109: the app resolves its Key Vault references over the public endpoint.
  // checkov:skip=CKV2_AZURE_32:A private endpoint needs VNet integration, which this deployment does not use (see CKV_AZURE_35 on the storage account).
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  // checkov:skip=CKV_AZURE_225:Zone-redundant Flex Consumption exists in a few regions only; Event Grid retries each event for up to a day, which rides out a zone outage.
  name: '${namePrefix}-plan-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var baseSettings = [
  // The host's storage, by identity: no connection string, no account key.
  {
    name: 'AzureWebJobsStorage__accountName'
    value: storage.name
  }
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: insights.properties.ConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'Authorization=AAD'
  }
  // costplane: function_app.py (COSTPLANE_PLANE), costplane.config.Settings (COSTPLANE_MODE,
  // COSTPLANE_LAKE; the documents below), costplane.adapters.azure.settings.AzureSettings
  // (COSTPLANE_AZURE_*). The managed identity's IDENTITY_ENDPOINT and IDENTITY_HEADER are
  // injected by the platform.
  {
    name: 'COSTPLANE_PLANE'
    value: 'azure'
  }
  {
    name: 'COSTPLANE_MODE'
    value: mode
  }
  {
    name: 'COSTPLANE_AZURE_STATE_ACCOUNT'
    value: storage.name
  }
  {
    name: 'COSTPLANE_AZURE_STATE_TABLE'
    value: stateTable.name
  }
  // The decisions audit log: its own account, table and locked group (modules/audit.bicep).
  {
    name: 'COSTPLANE_AZURE_AUDIT_ACCOUNT'
    value: auditAccountName
  }
  // The package is mounted read-only; approvals keep their SQLite store (the plane's state
  // file) under /tmp until an Azure Table approvals store exists: not durable across instances.
  {
    name: 'COSTPLANE_LAKE'
    value: '/tmp/costplane'
  }
]

// The mark sweep (costplane.config.SweepSettings; the timer reads its schedule): it queries
// Resource Graph in this subscription and stops at its budget, well within the host's timeout.
var sweepSettings = [
  {
    name: 'COSTPLANE_SWEEP_SCHEDULE'
    value: sweepSchedule
  }
  {
    name: 'COSTPLANE_SWEEP_SUBSCRIPTIONS'
    value: '["${subscription().subscriptionId}"]'
  }
  {
    name: 'COSTPLANE_SWEEP_BUDGET_SECONDS'
    value: '240'
  }
]

// The AI usage pull (costplane.config.AiPullSettings): its timer's schedule is always set (the
// host resolves it when it indexes the function); without a keys secret the function is
// disabled. The keys are a Key Vault reference, resolved by the platform with the app's
// identity; cost ingest reads the same location and routes its reports to the AI sources.
var aiPullSwitch = empty(aiAdminKeysSecretName) ? [
  {
    name: 'AzureWebJobs.ai_pull.Disabled'
    value: 'true'
  }
] : [
  {
    name: 'COSTPLANE_AI_PULL_LOCATION'
    value: '${storage.properties.primaryEndpoints.blob}${aiUsageContainerName}/'
  }
  {
    name: 'COSTPLANE_AI_ADMIN_KEYS'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${aiAdminKeysSecretName}/)'
  }
]
var aiPullSettings = concat([
  {
    name: 'COSTPLANE_AI_PULL_SCHEDULE'
    value: aiPullSchedule
  }
], aiPullSwitch)

// Approvals (costplane.config.ApprovalSettings), each set only when given: a channel left empty is
// not configured. Secrets are Key Vault references, resolved by the platform with the app's
// identity; the value never appears in the app's settings.
var slackSigningSettings = empty(slackSigningSecretName) ? [] : [
  {
    name: 'COSTPLANE_SLACK_SIGNING_SECRET'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${slackSigningSecretName}/)'
  }
]
var slackPostingSettings = empty(slackBotTokenSecretName) || empty(slackChannel) ? [] : [
  {
    name: 'COSTPLANE_SLACK_BOT_TOKEN'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${slackBotTokenSecretName}/)'
  }
  {
    name: 'COSTPLANE_SLACK_CHANNEL'
    value: slackChannel
  }
]
var teamsAppSettings = empty(teamsAppId) ? [] : [
  {
    name: 'COSTPLANE_TEAMS_APP_ID'
    value: teamsAppId
  }
]
var teamsTenantSettings = empty(teamsTenant) ? [] : [
  {
    name: 'COSTPLANE_TEAMS_TENANT'
    value: teamsTenant
  }
]
var teamsPasswordSettings = empty(teamsAppPasswordSecretName) ? [] : [
  {
    name: 'COSTPLANE_TEAMS_APP_PASSWORD'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${teamsAppPasswordSecretName}/)'
  }
]
var teamsPostingSettings = empty(teamsServiceUrl) || empty(teamsConversation) ? [] : [
  {
    name: 'COSTPLANE_TEAMS_SERVICE_URL'
    value: teamsServiceUrl
  }
  {
    name: 'COSTPLANE_TEAMS_CONVERSATION'
    value: teamsConversation
  }
]
var resumeSettings = empty(resumeSigningSecretName) ? [] : [
  {
    name: 'COSTPLANE_RESUME_SIGNING_SECRET'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${resumeSigningSecretName}/)'
  }
]
// The approvals route and its expiry timer are not run when nothing could verify a callback.
var disabledApprovals = callbacksConfigured ? [] : [
  {
    name: 'AzureWebJobs.approvals.Disabled'
    value: 'true'
  }
  {
    name: 'AzureWebJobs.approvals_expire.Disabled'
    value: 'true'
  }
]
var approvalSettings = concat(slackSigningSettings, slackPostingSettings, teamsAppSettings, teamsTenantSettings, teamsPasswordSettings, teamsPostingSettings, resumeSettings, disabledApprovals)

// The AI vendors' admin keys (costplane.config.AiVendorSettings), Key Vault references as above,
// each set only when its secret is named.
var openAiSettings = empty(openAiAdminKeySecretName) ? [] : [
  {
    name: 'COSTPLANE_OPENAI_ADMIN_KEY'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${openAiAdminKeySecretName}/)'
  }
]
var anthropicSettings = empty(anthropicAdminKeySecretName) ? [] : [
  {
    name: 'COSTPLANE_ANTHROPIC_ADMIN_KEY'
    value: '@Microsoft.KeyVault(SecretUri=${keyVaultSecrets}/${anthropicAdminKeySecretName}/)'
  }
]
var aiVendorSettings = concat(openAiSettings, anthropicSettings)

// The documents the functions read (costplane.config.Settings). A path left empty is unset
// rather than empty, which would name the current directory, and the bundled example is used.
var taxonomySettings = empty(taxonomyPath) ? [] : [
  {
    name: 'COSTPLANE_TAXONOMY'
    value: taxonomyPath
  }
]
var policiesSettings = empty(policiesPath) ? [] : [
  {
    name: 'COSTPLANE_POLICIES'
    value: policiesPath
  }
]
var budgetsSettings = empty(budgetsPath) ? [] : [
  {
    name: 'COSTPLANE_BUDGETS'
    value: budgetsPath
  }
]

// The lake the budgets read (costplane.config.CatalogSettings), as cost ingest writes it; unset
// without a catalog. pyarrow reads abfss:// files with the app's managed identity (no key):
// FileIO is pinned to pyarrow's, which needs the account name.
var lakeFileIo = {
  'py-io-impl': 'pyiceberg.io.pyarrow.PyArrowFileIO'
}
var lakeAccount = empty(lakeStorageAccountName) ? {} : {
  'adls.account-name': lakeStorageAccountName
}
var lakeProperties = union(lakeFileIo, lakeAccount)
var lakeSettings = empty(lakeCatalogType) ? [] : [
  {
    name: 'COSTPLANE_CATALOG_TYPE'
    value: lakeCatalogType
  }
  {
    name: 'COSTPLANE_CATALOG_URI'
    value: lakeCatalogUri
  }
  {
    name: 'COSTPLANE_CATALOG_WAREHOUSE'
    value: lakeCatalogWarehouse
  }
  {
    name: 'COSTPLANE_CATALOG_NAMESPACE'
    value: lakeCatalogNamespace
  }
  {
    name: 'COSTPLANE_CATALOG_PROPERTIES'
    value: string(lakeProperties)
  }
]

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_16:Event Grid and the Slack and Teams callbacks cannot sign in with Entra ID (App Service Authentication); the webhook takes a function key and the callbacks verify their senders' signatures.
  // checkov:skip=CKV_AZURE_17:Event Grid, Slack and the Bot Connector present no client certificates.
  // checkov:skip=CKV_AZURE_222:Event Grid delivers over the public endpoint (it cannot reach private endpoints), as do Slack and Teams callbacks.
  // checkov:skip=CKV_AZURE_213:The app serves event triggers and webhooks, not a site behind a load balancer; the Functions host monitors its own workers.
  // checkov:skip=CKV_AZURE_212:Flex Consumption scales out per instance on demand; there is no instance count to set to 2 or more.
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(baseSettings, sweepSettings, aiPullSettings, taxonomySettings, policiesSettings, budgetsSettings, approvalSettings, aiVendorSettings, lakeSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: 2048
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
  dependsOn: [
    deploymentContainer
  ]
}

// The host keeps its leases, timers' schedule and the deployment package in blobs.
resource hostStorageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Claims, budgets and approvals (costplane.adapters.azure.tables): this table only. The
// decisions audit log is the audit account's (modules/audit.bicep).
resource stateAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(stateTable.id, functionApp.id, storageTableDataContributor)
  scope: stateTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The app's Key Vault references: read secrets of this vault only.
resource vaultAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionApp.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, functionApp.id, monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output functionAppName string = functionApp.name
output functionAppId string = functionApp.id
output principalId string = functionApp.identity.principalId
output storageAccountName string = storage.name
output deadLetterContainerName string = deadLetterContainer.name
output approvalsCallbackUrl string = callbacksConfigured ? 'https://${functionApp.properties.defaultHostName}/api/approvals/' : ''
output keyVaultName string = vault.name
