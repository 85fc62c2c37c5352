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

// The Event Grid trigger's name: @bp.function_name("tag_enforcer").
var enforcerFunctionName = 'tag_enforcer'
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

resource enforcerSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: 'tag-enforcer'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionApp.id}/functions/${enforcerFunctionName}'
        // The trigger binding takes one event per invocation.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    // What costplane.adapters.azure.events decides on; failures, cancellations and the
    // validation handshake are not routed.
    filter: {
      includedEventTypes: [
        'Microsoft.Resources.ResourceWriteSuccess'
        'Microsoft.Resources.ResourceDeleteSuccess'
        'Microsoft.Resources.ResourceActionSuccess'
      ]
    }
    // The trigger raises when an action failed (its claim released): Event Grid delivers again.
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
}

output systemTopicName string = topic.name
output eventSubscriptionName string = enforcerSubscription.name
