// costplane tag enforcer on Azure: resource events of the subscription through Event Grid
// (retries, then a dead-letter container) to an Azure Functions app that checks tags,
// attributes an owner and acts; Table storage for claims, and for the decisions audit log a
// locked store of its own that outlives costplane's resource group.
//
// Deployed at subscription scope: the enforcer acts on any resource of the subscription, so
// its custom role, that role's assignment and the subscription's Event Grid system topic all
// live at (or read) subscription level. The resource group and everything in it are created by
// the `app` and `events` modules, in one deployment; the decisions audit log lives apart, in a
// locked resource group of its own (the `audit` module), so it outlives costplane's group:
//   az deployment sub create --location <region> --template-file infra/azure/main.bicep \
//     --parameters infra/azure/main.parameters.json
// Deploying it needs Owner (or User Access Administrator plus Contributor) on the subscription.
targetScope = 'subscription'

@description('Region of the resource group and its resources.')
param location string = deployment().location

@description('Resource group created for costplane.')
param resourceGroupName string = 'rg-costplane'

@description('Resource group of the decisions audit log, apart from costplane\'s and locked (CanNotDelete).')
param auditResourceGroupName string = 'rg-costplane-audit'

@description('Prefix of resource names (letters, digits and hyphens).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'costplane'

@description('A ceiling: dry-run decides and records whatever the files say; enforce lets the taxonomy\'s and each policy\'s own mode stand.')
@allowed([
  'dry-run'
  'enforce'
])
param mode string = 'dry-run'

@description('Path of the taxonomy file in the deployed package (e.g. /home/site/wwwroot/taxonomy.yaml); empty uses the bundled example.')
param taxonomyPath string = ''

@description('Path of the policy file in the deployed package (e.g. /home/site/wwwroot/policies.yaml); empty uses the bundled example.')
param policiesPath string = ''

@description('Path of the budgets file in the deployed package (e.g. /home/site/wwwroot/budgets.yaml); empty uses the bundled example.')
param budgetsPath string = ''

@description('''
The lake the budgets read (costplane.config.CatalogSettings): the Iceberg catalog cost ingest
writes, `rest` (Polaris, Lakekeeper, Unity Catalog, OneLake…) or `sql` (PostgreSQL). Empty:
no lake, the budgets price from the shipped sheet and read no actuals.
''')
@allowed([
  ''
  'rest'
  'sql'
])
param lakeCatalogType string = ''

@description('The catalog\'s URI (the REST endpoint, or the SQLAlchemy URL of the SQL catalog).')
param lakeCatalogUri string = ''

@description('The warehouse: abfss://<container>@<account>.dfs.core.windows.net/<path> (or the REST catalog\'s warehouse name).')
param lakeCatalogWarehouse string = ''

@description('Namespace of the lake\'s tables.')
param lakeCatalogNamespace string = 'costplane'

@description('Resource id of the storage account holding the lake\'s files; the app gets Storage Blob Data Reader on its container.')
param lakeStorageAccountId string = ''

@description('Container of the lake\'s files in that account.')
param lakeContainerName string = 'lake'

@description('''
Create the Event Grid subscription to tag_enforcer. Event Grid requires the function to exist,
so the first deployment leaves it false; publish the code, then deploy again with true.
''')
param subscribeToEvents bool = false

@description('Upper bound on function instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Days the Log Analytics workspace keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 90

@description('Deliveries of one event before it is dead-lettered (1-30).')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes an undelivered event is retried before it is dead-lettered (1-1440).')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

@description('NCRONTAB schedule (UTC) of the mark sweep, every five minutes by default.')
param sweepSchedule string = '0 */5 * * * *'

// The hourly AI usage pull (costplane.billing.pull): OpenAI's and Anthropic's usage and cost
// reports, landed in the app's storage account (container ai-usage) for cost ingest. The admin
// keys are one Key Vault secret, JSON {"openai": {"<org id>": "<admin key>"}, "anthropic":
// {...}}, set in the app's vault by whoever holds them; no key is in a parameter or a setting.
@description('Key Vault secret (in the app\'s vault) holding the AI vendors\' admin keys as JSON; empty disables the AI usage pull.')
param aiAdminKeysSecretName string = ''

@description('NCRONTAB schedule (UTC) of the AI usage pull, hourly by default.')
param aiPullSchedule string = '0 5 * * * *'

@description('Tags on the resource group and every resource in it.')
param tags object = {}

// Approvals (Slack, Teams) and the resume route. Secrets are Key Vault secrets, named here and
// set in the vault by whoever holds them; the app reads them through Key Vault references, so
// no secret value is in a parameter, the deployment or the app's settings. A channel whose
// names are left empty is not configured: its requests are recorded as unsent.
@description('Key Vault secret holding the Slack app\'s signing secret; empty disables Slack callbacks.')
param slackSigningSecretName string = ''

@description('Key Vault secret holding the Slack bot token (xoxb-…); empty disables posting to Slack.')
param slackBotTokenSecretName string = ''

@description('Slack channel id approval requests go to; empty disables posting to Slack.')
param slackChannel string = ''

@description('The Teams bot\'s Entra app id (the `aud` of Bot Connector tokens); empty disables Teams callbacks.')
param teamsAppId string = ''

@description('Tenant of a single-tenant Teams bot\'s app; empty uses the Bot Framework\'s.')
param teamsTenant string = ''

@description('Key Vault secret holding the Teams bot\'s client secret; empty disables posting to Teams.')
param teamsAppPasswordSecretName string = ''

@description('Bot Connector URL approval cards are posted to; empty disables posting to Teams.')
param teamsServiceUrl string = ''

@description('Teams conversation id approval cards are posted to; empty disables posting to Teams.')
param teamsConversation string = ''

@description('Key Vault secret holding the key that signs requests to the resume route; empty disables the route.')
param resumeSigningSecretName string = ''

// The AI vendors' admin keys (costplane.config.AiVendorSettings), Key Vault secrets like the
// chat ones: set, the functions can pull that vendor's levers (rate and spend limits, keys).
@description('Key Vault secret holding an OpenAI admin key (sk-admin-…); empty: no OpenAI levers.')
param openAiAdminKeySecretName string = ''

@description('Key Vault secret holding an Anthropic admin key (sk-ant-admin…); empty: no Anthropic levers.')
param anthropicAdminKeySecretName string = ''

// Exactly what the Azure adapters call (costplane.adapters.azure.inventory, .enforcer and
// .capacity): tags at any scope through the Tags API; deallocate for stop and quarantine;
// the instance view, deallocate and start for suspend and resume; a scale set's sku
// (read, PATCH) for throttle and its resume; for Azure OpenAI (.capacity_openai) an account's
// key auth (read, PATCH) for suspend and a deployment's capacity (read, PUT) for throttle.
// tests/infra/test_bicep_template.py keeps this list equal to its table of those calls and to
// the policy actions' declarations.
var enforcerActions = [
  'Microsoft.CognitiveServices/accounts/deployments/read'
  'Microsoft.CognitiveServices/accounts/deployments/write'
  'Microsoft.CognitiveServices/accounts/read'
  'Microsoft.CognitiveServices/accounts/write'
  'Microsoft.Compute/virtualMachineScaleSets/deallocate/action'
  'Microsoft.Compute/virtualMachineScaleSets/read'
  'Microsoft.Compute/virtualMachineScaleSets/write'
  'Microsoft.Compute/virtualMachines/deallocate/action'
  'Microsoft.Compute/virtualMachines/instanceView/read'
  'Microsoft.Compute/virtualMachines/read'
  'Microsoft.Compute/virtualMachines/start/action'
  'Microsoft.Resources/tags/read'
  'Microsoft.Resources/tags/write'
]

// Append-only access to the audit log (costplane.adapters.azure.tables: `append` is an Insert
// Entity, `newest` a query): read and add entities, never update or delete one.
// tests/infra/test_bicep_template.py keeps this list to those two.
var auditLogDataActions = [
  'Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action'
  'Microsoft.Storage/storageAccounts/tableServices/tables/entities/read'
]

var readsLake = !empty(lakeCatalogType) && !empty(lakeStorageAccountId)
var lakeIdParts = split(lakeStorageAccountId, '/')
var lakeSubscriptionId = readsLake ? lakeIdParts[2] : subscription().subscriptionId
var lakeResourceGroupName = readsLake ? lakeIdParts[4] : resourceGroupName
var lakeStorageAccountName = readsLake ? last(lakeIdParts) : ''

// Stable per subscription and audit group, so a redeployment finds the same log.
var auditAccountName = take(toLower('${replace(namePrefix, '-', '')}audit${uniqueString(subscription().id, auditResourceGroupName)}'), 24)

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

resource auditGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: auditResourceGroupName
  location: location
  tags: tags
}

module app 'modules/app.bicep' = {
  name: 'costplane-app'
  scope: group
  params: {
    location: location
    namePrefix: namePrefix
    mode: mode
    taxonomyPath: taxonomyPath
    policiesPath: policiesPath
    budgetsPath: budgetsPath
    auditAccountName: auditAccountName
    lakeCatalogType: lakeCatalogType
    lakeCatalogUri: lakeCatalogUri
    lakeCatalogWarehouse: lakeCatalogWarehouse
    lakeCatalogNamespace: lakeCatalogNamespace
    lakeStorageAccountName: lakeStorageAccountName
    maximumInstanceCount: maximumInstanceCount
    logRetentionDays: logRetentionDays
    sweepSchedule: sweepSchedule
    aiAdminKeysSecretName: aiAdminKeysSecretName
    aiPullSchedule: aiPullSchedule
    tags: tags
    slackSigningSecretName: slackSigningSecretName
    slackBotTokenSecretName: slackBotTokenSecretName
    slackChannel: slackChannel
    teamsAppId: teamsAppId
    teamsTenant: teamsTenant
    teamsAppPasswordSecretName: teamsAppPasswordSecretName
    teamsServiceUrl: teamsServiceUrl
    teamsConversation: teamsConversation
    resumeSigningSecretName: resumeSigningSecretName
    openAiAdminKeySecretName: openAiAdminKeySecretName
    anthropicAdminKeySecretName: anthropicAdminKeySecretName
  }
}

// Custom role names are unique in the tenant: the subscription id keeps them apart when
// costplane governs several subscriptions.
resource enforcerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, namePrefix, 'enforcer')
  properties: {
    roleName: '${namePrefix} enforcer (${subscription().subscriptionId})'
    description: 'Read and write tags on any resource; deallocate and start VMs; scale scale sets.'
    type: 'CustomRole'
    permissions: [
      {
        actions: enforcerActions
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource enforcerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, group.id, enforcerRole.id)
  properties: {
    roleDefinitionId: enforcerRole.id
    principalId: app.outputs.principalId
    principalType: 'ServicePrincipal'
    description: 'The costplane tag enforcer acts on the resources of this subscription.'
  }
}

resource auditAppendRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, namePrefix, 'audit-append')
  properties: {
    roleName: '${namePrefix} audit log append (${subscription().subscriptionId})'
    description: 'Read and insert table entities; never update or delete one.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: auditLogDataActions
        notDataActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

// The mark sweep finds marked resources with Resource Graph (and the inventory reads there the
// tags an Event Grid event lacks), which answers a query with the resources its caller may
// read: the query action, and read on every resource type (Resource Graph has no narrower
// grant). What it does to them is the enforcer role's.
var sweepActions = [
  '*/read'
  'Microsoft.ResourceGraph/resources/read'
]

resource sweepRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, namePrefix, 'mark-sweep')
  properties: {
    roleName: '${namePrefix} mark sweep (${subscription().subscriptionId})'
    description: 'Query Resource Graph for resources marked for an operation.'
    type: 'CustomRole'
    permissions: [
      {
        actions: sweepActions
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

module audit 'modules/audit.bicep' = {
  name: 'costplane-audit'
  scope: auditGroup
  params: {
    location: location
    accountName: auditAccountName
    principalId: app.outputs.principalId
    appendRoleId: auditAppendRole.id
    tags: tags
  }
}

// Read only: the budgets read the lake; writing it is cost ingest's, which this template does
// not configure (no COSTPLANE_EXPORTS), so a writer is granted apart. The scope falls back to
// costplane's own group when there is no lake, as ARM evaluates it even for a skipped module.
module lakeReader 'modules/lake-reader.bicep' = if (readsLake) {
  name: 'costplane-lake-reader'
  scope: resourceGroup(lakeSubscriptionId, lakeResourceGroupName)
  params: {
    accountName: lakeStorageAccountName
    containerName: lakeContainerName
    principalId: app.outputs.principalId
  }
}

resource sweepAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, group.id, sweepRole.id)
  properties: {
    roleDefinitionId: sweepRole.id
    principalId: app.outputs.principalId
    principalType: 'ServicePrincipal'
    description: 'The costplane mark sweep lists the marked resources of this subscription.'
  }
}

module events 'modules/events.bicep' = if (subscribeToEvents) {
  name: 'costplane-events'
  scope: group
  params: {
    namePrefix: namePrefix
    functionAppName: app.outputs.functionAppName
    storageAccountName: app.outputs.storageAccountName
    deadLetterContainerName: app.outputs.deadLetterContainerName
    maxDeliveryAttempts: maxDeliveryAttempts
    eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    tags: tags
  }
}

output resourceGroupName string = group.name
output functionAppName string = app.outputs.functionAppName
output principalId string = app.outputs.principalId
output storageAccountName string = app.outputs.storageAccountName
output deadLetterContainerName string = app.outputs.deadLetterContainerName
output approvalsCallbackUrl string = app.outputs.approvalsCallbackUrl
output keyVaultName string = app.outputs.keyVaultName
output auditResourceGroupName string = auditGroup.name
output auditAccountName string = audit.outputs.accountName
