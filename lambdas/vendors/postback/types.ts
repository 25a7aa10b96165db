/**
 * Generic postback: any affiliate network that accepts a server-to-server "postback URL" with the click id and
 * the sale's values (Awin's `sread.php`, CJ, Tradedoubler, Impact, in-house networks …). There is no vendor
 * document: the merchant copies the network's postback URL into the configuration and marks the slots with macros.
 */
export const POSTBACK_DOCUMENT = 'lambdas/vendors/postback/README.md';

/** Names a postback instance may take: they become queue, function and alarm names. */
export const POSTBACK_NAME = /^[a-z][a-z0-9-]{1,30}$/;
