// GraphiQL for partner developers, bundled from npm (no CDN), pointed at
// this server's /graphql.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';
import './graphiql.css';

const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', location.href).href });

const defaultQuery = `# aidtrace: the governance chain behind "Xinjiang Aid" (对口援疆).
# Every entity and relation cites its sources. Press the run button (or Ctrl-Enter).

query AksuUp {
  search(text: "Aksu", first: 3) { entity { id name nameZh kind } }
  responsibilityChain(id: "prefecture:aksu", direction: UP) {
    chains {
      complete
      hops {
        upper { id name }
        relation { type validFrom confidence citations { quote source { title url grade } } }
        lower { id name }
      }
    }
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: false }),
);
