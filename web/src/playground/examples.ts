/** The playground's starting tabs: the seed's story (define order.completed, send, read it back). */
export const EXAMPLES: { query: string; variables?: string }[] = [
  {
    query: `# Welcome to the arsel-events GraphQL playground.
# Put your API key in the Headers tab below ({"Authorization": "Bearer be_…"}),
# then run an operation with the ▶ button. Docs and autocompletion come from the schema.

query Events {
  events(first: 20) {
    edges { node { name description schema { fields { name type required } } } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
  },
  {
    query: `mutation DefineOrderCompleted {
  createEvent(input: {
    name: "order.completed"
    description: "Fired when a customer completes checkout."
    schema: { fields: [
      { name: "order_id", type: STRING, required: true }
      { name: "total", type: NUMBER, required: true }
      { name: "is_gift", type: BOOLEAN }
    ] }
  }) { id name createdAt }
}
`,
  },
  {
    query: `mutation SendOrderCompleted($input: SendEventInput!) {
  sendEvent(input: $input) { id status errors { field message } }
}
`,
    variables: JSON.stringify(
      { input: { event: 'order.completed', email: 'jane@example.com', data: { order_id: 'o-1', total: 129.99, is_gift: false } } },
      null,
      2,
    ),
  },
  {
    query: `query RecentSends {
  sends(filter: { event: "order.completed" }, first: 10) {
    edges { node { id status email data errors { field message } timestamp } }
  }
}
`,
  },
  {
    query: `query AutomationsAndRuns {
  automations(first: 10) {
    edges { node { id name status issues { step message } } }
  }
  automationRuns(first: 10) {
    edges { node { id status automationId steps { step type outcome details } } }
  }
}
`,
  },
];
