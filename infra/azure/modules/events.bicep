// Resource events of the whole subscription, delivered by Event Grid to the `tag_enforcer`
// function (functions/azure/blueprints/tag_enforcer.py): retried, then dead-lettered to a blob
// container with the system topic's own identity (the account takes no shared keys).
//
// Event Grid checks that the function exists when the subscription is created, so this module
// is deployed once the code is published (main.bicep: subscribeToEvents).

@description('Prefix of resource names.')
param namePrefix string

@description('The Function App that hosts tag_enforcer.')
param functionAppName string

@description('The storage account holding the dead-letter container.')
param storageAccountName string

@description('The blob container that receives events which failed every delivery.')
param deadLetterContainerName string

@description('Deliveries of one event before it is dead-lettered (1-30).')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int

@description('Minutes an undelivered event is retried before it is dead-lettered (1-1440).')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int

@description('Tags on every resource.')
param tags object

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetters 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

// One system topic per source: a subscription that has a Microsoft.Resources.Subscriptions
// topic already must reuse it (deploy its event subscription by hand, or delete it first).
resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: '${namePrefix}-subscription-events'
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deadLetters.id, topic.id, storageBlobDataContributor)
  scope: storage::blobService::deadLetters
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Event Grid delivers the same resource events to both functions; each claims its own
// (`tag:` / `policy:` keys), so one does not hide an event from the other.
var subscribers = {
  'tag-enforcer': 'tag_enforcer'
  'policy-runner': 'policy_runner'
}

resource functionSubscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = [for subscriber in items(subscribers): {
  parent: topic
  name: subscriber.key
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionApp.id}/functions/${subscriber.value}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Resources.ResourceWriteSuccess'
        'Microsoft.Resources.ResourceDeleteSuccess'
        'Microsoft.Resources.ResourceActionSuccess'
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
  dependsOn: [
    deadLetterWriter
  ]
}]

// Azure budgets (Microsoft.Consumption/budgets, notifications[].contactGroups) alert this
// action group; it posts to the policy runner's alerts route with that function's own key,
// the only credential an action-group webhook carries. Action groups retry on 408/429/503/504:
// the route answers 503 for an alert worth retrying.
resource budgetAlerts 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-budget-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(namePrefix, 12)
    enabled: true
    webhookReceivers: [
      {
        name: 'policy-runner'
        serviceUri: 'https://${functionApp.properties.defaultHostName}/api/policy_runner/alerts?code=${listKeys('${functionApp.id}/functions/policy_runner_alerts', '2024-04-01').default}'
        useCommonAlertSchema: true
      }
    ]
  }
}

output eventSubscriptionNames array = [for subscriber in items(subscribers): subscriber.key]
output budgetActionGroupId string = budgetAlerts.id
