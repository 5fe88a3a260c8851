import { graphql } from '../gql/index.js';

export const CreateContactDoc = graphql(`
  mutation CreateContact($input: CreateContactInput!) {
    createContact(input: $input) { id email attributes createdAt updatedAt }
  }
`);

export const ContactDoc = graphql(`
  query Contact($id: ID, $email: String) {
    contact(id: $id, email: $email) { id email attributes createdAt updatedAt }
  }
`);

export const ContactsDoc = graphql(`
  query Contacts($first: Int, $after: String, $email: String) {
    contacts(first: $first, after: $after, email: $email) {
      edges { cursor node { id email attributes } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);
