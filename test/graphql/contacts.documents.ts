import { graphql } from '../gql/index.js';

export const CreateContactDoc = graphql(`
  mutation CreateContact($input: CreateContactInput!) {
    createContact(input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }
  }
`);

export const UpdateContactDoc = graphql(`
  mutation UpdateContact($id: ID!, $input: UpdateContactInput!) {
    updateContact(id: $id, input: $input) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }
  }
`);

export const DeleteContactDoc = graphql(`
  mutation DeleteContact($id: ID!) {
    deleteContact(id: $id) { id deleted message }
  }
`);

export const DeleteContactsDoc = graphql(`
  mutation DeleteContacts($input: BulkDeleteContactsInput!) {
    deleteContacts(input: $input) { message deleted }
  }
`);

export const ContactDoc = graphql(`
  query Contact($id: ID, $email: String) {
    contact(id: $id, email: $email) { id email phoneNumber externalId firstName lastName source properties isSuppressed createdAt updatedAt }
  }
`);

export const ContactsDoc = graphql(`
  query Contacts($first: Int, $after: String, $email: String, $phoneNumber: String, $externalId: String) {
    contacts(first: $first, after: $after, email: $email, phoneNumber: $phoneNumber, externalId: $externalId) {
      edges { cursor node { id email phoneNumber externalId properties source } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);
