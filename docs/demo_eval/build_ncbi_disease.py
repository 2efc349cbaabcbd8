"""Build the ncbi-disease demo evaluation set from inline markup (two annotation passes).

Every sentence below was written from scratch for this project in the style of PubMed abstracts
about diseases and genetics; none is copied from a corpus, none names a person or a patient.
Disease mentions are marked as [[...]] following DISEASE_GUIDELINES in clingen_hf/core/tasks/ner.py.

Pass 1 (FIRST_PASS) is written to docs/demo_eval/ncbi-disease.first-pass.jsonl.
Pass 2 is an independent review of every sentence: CORRECTIONS replaces the markup of
the rows it names (same tokens, only tags may change) and the result is written to
clingen_hf/seeds/ncbi-disease.demo-eval.jsonl. The script then prints the inter-pass agreement.

Run from the repository root:  python docs/demo_eval/build_ncbi_disease.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from markup import agreement, apply_corrections, format_problems, mention_count, rows, write_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIRST_PASS_PATH = ROOT / "docs" / "demo_eval" / "ncbi-disease.first-pass.jsonl"
FINAL_PATH = ROOT / "clingen_hf" / "seeds" / "ncbi-disease.demo-eval.jsonl"
SEED_PATH = ROOT / "clingen_hf" / "seeds" / "ncbi-disease.jsonl"
ENTITY_TYPE = "Disease"
TYPES = {None: ENTITY_TYPE}
FIRST_ROW_NUMBER = 0  # CORRECTIONS count rows from 0

# Pass 1. Rows 0-39 are the rows of the earlier 40-row demo file (kept after review), written
# here as their space-joined tokens; rows 40-199 are new.
FIRST_PASS: list[str] = [
    # --- rows 0-39: earlier demo file ---
    "Mutations in CFTR cause [[cystic fibrosis]] ( [[CF]] ) , a recessive condition characterised by elevated sweat chloride concentrations .",
    "[[Fragile X syndrome]] results from expansion of a CGG repeat in the 5 ' untranslated region of FMR1 .",
    "Genomic DNA was extracted from peripheral blood leukocytes of 58 unrelated probands and their available relatives .",
    "We identified 14 distinct FBN1 mutations in probands with [[Marfan syndrome]] , including three that create premature stop codons .",
    "The severity of [[myotonic dystrophy]] correlated with the size of the CTG expansion , and congenital cases were almost exclusively maternally transmitted .",
    "Deletion of SMN1 exon 7 was found in 94 % of patients with [[spinal muscular atrophy]] ( [[SMA]] ) .",
    "All coding exons and flanking intronic sequences were amplified by PCR and analysed by direct sequencing .",
    "[[Tay - Sachs disease]] is a [[lysosomal storage disorder]] caused by deficiency of hexosaminidase A .",
    "[[Hemophilia A]] is caused by mutations in the factor VIII gene , and nearly half of severe cases carry an intron 22 inversion .",
    "Neurofibromin , the product of the NF1 gene , acts as a negative regulator of Ras signalling .",
    "Homozygosity for the sickle mutation produces [[sickle cell anaemia]] , whereas coinheritance of a [[beta - thalassaemia]] allele yields a milder phenotype .",
    "Germline VHL mutations predispose to [[haemangioblastoma]] , [[phaeochromocytoma]] and [[clear cell renal carcinoma]] .",
    "The mutant protein was retained in the endoplasmic reticulum and failed to reach the plasma membrane .",
    "Individuals with [[neurofibromatosis type 1]] ( [[NF1]] ) have an elevated lifetime risk of [[malignant peripheral nerve sheath tumours]] .",
    "Germline defects in MLH1 and MSH2 underlie most cases of [[hereditary nonpolyposis colorectal cancer]] ( [[HNPCC]] ) .",
    "Families with [[Li - Fraumeni syndrome]] have a high incidence of [[soft tissue sarcoma]] and [[adrenocortical carcinoma]] in childhood .",
    "Haplotype analysis with six polymorphic microsatellite markers suggested a common founder for the two families .",
    "Biallelic inactivation of RB1 was demonstrated in every [[retinoblastoma]] examined , including those from patients without a family history .",
    "Cells from patients with [[Fanconi anaemia]] are hypersensitive to DNA cross - linking agents such as mitomycin C .",
    "[[Wilson disease]] results from mutations in ATP7B , which encodes a copper - transporting ATPase expressed mainly in the liver .",
    "No pathogenic variants were detected in the remaining 14 patients , suggesting locus heterogeneity .",
    "Plasma very long chain fatty acids were elevated in all boys with [[X - linked adrenoleukodystrophy]] .",
    "Enzyme replacement therapy reduced globotriaosylceramide deposits in patients with [[Fabry disease]] .",
    "Mutations in PKD1 account for about 85 % of cases of [[autosomal dominant polycystic kidney disease]] ( [[ADPKD]] ) .",
    "Expression of the transcript was highest in fetal brain and adult skeletal muscle .",
    "KCNQ1 and KCNH2 mutations were detected in 62 % of families with [[long QT syndrome]] , and several carriers had a normal resting QTc interval .",
    "MEFV mutations were found on both alleles in most patients with [[familial Mediterranean fever]] , who typically present with recurrent fever and abdominal pain .",
    "Two of the three missense substitutions alter residues that are conserved from yeast to humans .",
    "The APOE e4 allele is the strongest common genetic risk factor for [[Alzheimer disease]] .",
    "A hexanucleotide repeat expansion in C9orf72 is the most frequent genetic cause of [[amyotrophic lateral sclerosis]] and [[frontotemporal dementia]] .",
    "Duplication of PMP22 on chromosome 17p11 . 2 causes [[Charcot - Marie - Tooth disease type 1A]] .",
    "Serum creatine kinase levels were elevated more than tenfold in affected boys , and dystrophin was absent on immunostaining .",
    "Glycine substitutions in the triple helical domain of type I collagen cause the lethal perinatal form of [[osteogenesis imperfecta]] .",
    "Germline RET mutations were identified in all kindreds with [[multiple endocrine neoplasia type 2A]] and in a subset of patients with apparently sporadic [[medullary thyroid carcinoma]] .",
    "Paternal deletions of 15q11 - q13 cause [[Prader - Willi syndrome]] , whereas maternal deletions of the same region cause [[Angelman syndrome]] .",
    "A maximum lod score of 4 . 8 was obtained at a recombination fraction of zero with a marker on the long arm of chromosome 9 .",
    "De novo MECP2 mutations were identified in 38 of 45 girls with classic [[Rett syndrome]] .",
    "[[Glucose - 6 - phosphate dehydrogenase deficiency]] ( [[G6PD deficiency]] ) predisposes to [[haemolytic anaemia]] after ingestion of fava beans .",
    "Women who carry a BRCA1 mutation have a cumulative risk of [[ovarian cancer]] of about 40 % by the age of 70 years .",
    "Mutations in the beta - myosin heavy chain gene were found in three families with [[dilated cardiomyopathy]] .",
    # --- rows 40-199: new ---
    "[[Huntington's disease]] is caused by an expanded CAG trinucleotide repeat in the first exon of HTT.",
    "Total RNA was isolated from cultured skin fibroblasts using a guanidinium thiocyanate method.",
    "Heterozygous loss-of-function variants in SCN1A are the most common cause of [[Dravet syndrome]], a severe [[epileptic encephalopathy]] of infancy.",
    "The disease usually begins in the second decade with gait unsteadiness and dysarthria.",
    "Carriers of [[Gaucher disease]] mutations in GBA have an increased risk of developing [[Parkinson disease]].",
    "Treatment with imatinib induced durable cytogenetic responses in most patients with [[chronic myeloid leukaemia]].",
    "Mutations in the low density lipoprotein receptor gene were screened by single-strand conformation polymorphism analysis.",
    "[[Type 1 diabetes]] results from autoimmune destruction of the insulin-producing beta cells of the pancreas.",
    "The HLA-DRB1 shared epitope is associated with susceptibility to [[rheumatoid arthritis]] and with more erosive joint damage.",
    "Antinuclear antibodies were detected in 95% of sera from patients with [[systemic lupus erythematosus]] ([[SLE]]).",
    "Headache, photophobia and neck stiffness were the presenting complaints in most children with [[bacterial meningitis]].",
    "Heterozygous carriers of the sickle haemoglobin allele are substantially protected against severe [[malaria]].",
    "[[Tuberculosis]] remains a leading cause of death among people living with [[HIV infection]].",
    "Mycobacterium tuberculosis was cultured from sputum samples of 42 participants.",
    "Somatic mutations of KRAS were found in 90% of [[pancreatic ductal adenocarcinomas]].",
    "[[Hereditary breast and ovarian cancer syndrome]] is caused by germline mutations in BRCA1 or BRCA2.",
    "The BRCA1 protein participates in homologous recombination repair of DNA double-strand breaks.",
    "[[Multiple sclerosis]] ([[MS]]) is a chronic [[inflammatory demyelinating disease]] of the central nervous system.",
    "Interferon beta reduced the annual relapse rate by about one third in [[relapsing-remitting multiple sclerosis]].",
    "[[Wolf-Hirschhorn syndrome]] is caused by partial deletion of the short arm of chromosome 4.",
    "Plasma phenylalanine concentrations above 1200 micromol/l were considered diagnostic.",
    "[[Maple syrup urine disease]] is an [[inborn error of metabolism]] caused by deficient activity of the branched-chain alpha-keto acid dehydrogenase complex.",
    "[[Familial hypertrophic cardiomyopathy]] ([[FHC]]) is the most common cause of [[sudden cardiac death]] in young athletes.",
    "Resting heart rate and systolic blood pressure were recorded at each clinic visit in the [[heart failure]] cohort.",
    "Elevated lipoprotein(a) is an independent risk factor for [[coronary artery disease]] and [[ischaemic stroke]].",
    "Aortic root dilatation was present in 80% of the [[Loeys-Dietz syndrome]] patients, and several had [[aortic dissection]] before the age of 30.",
    "Mutations in KCNJ11 are a common cause of [[permanent neonatal diabetes mellitus]] and can be treated with oral sulfonylureas.",
    "Sulfonylurea therapy allowed most patients to discontinue insulin injections.",
    "[[Cystinuria]] is an [[autosomal recessive disorder]] of renal amino acid transport that leads to recurrent [[nephrolithiasis]].",
    "The gene spans 250 kb of genomic DNA and contains 79 exons.",
    "[[Becker muscular dystrophy]] ([[BMD]]) is a milder allelic variant of [[Duchenne muscular dystrophy]].",
    "In-frame deletions that preserve the reading frame generally produce a milder phenotype.",
    "[[Polycythaemia vera]] and [[essential thrombocythaemia]] are frequently associated with the JAK2 V617F mutation.",
    "Splenomegaly, pruritus and night sweats were the most troublesome symptoms reported by patients with [[myelofibrosis]].",
    "Somatic IDH1 mutations are frequent in [[low-grade gliomas]] and [[secondary glioblastomas]] but rare in [[primary glioblastomas]].",
    "The clinical course of the disease was highly variable even within a single family.",
    "[[Hepatitis C virus infection]] is a major cause of [[liver cirrhosis]] and [[hepatocellular carcinoma]] worldwide.",
    "Sofosbuvir-based regimens achieved sustained virological response rates above 95%.",
    "Hypomorphic mutations in the [[ataxia-telangiectasia]] gene were identified in two siblings with a milder neurological phenotype.",
    "[[Werner syndrome]] is a [[progeroid syndrome]] caused by loss of the WRN RecQ helicase.",
    "Greying of the hair, hoarseness and loss of subcutaneous fat typically appear in the second decade.",
    "[[Celiac disease]] is an immune-mediated [[enteropathy]] triggered by dietary gluten in genetically susceptible individuals.",
    "Tissue transglutaminase IgA antibodies were measured in all first-degree relatives.",
    "[[Crohn's disease]] and [[ulcerative colitis]] are the two main forms of [[inflammatory bowel disease]].",
    "Three NOD2 variants were associated with ileal involvement and stricturing behaviour in [[Crohn disease]].",
    "Mutations in SOD1 account for about one fifth of cases of [[familial amyotrophic lateral sclerosis]].",
    "Riluzole modestly prolonged survival in patients with [[ALS]] in a placebo-controlled trial.",
    "[[Alpha-1 antitrypsin deficiency]] predisposes to early-onset [[emphysema]] and to [[liver disease]] in childhood.",
    "The Z allele results in polymerisation of the protein within hepatocytes.",
    "[[Hirschsprung disease]] ([[HSCR]]) is associated with loss-of-function RET mutations in about half of familial cases.",
    "[[Neuroblastoma]] is the most common [[extracranial solid tumour]] of childhood.",
    "MYCN amplification is found in about 20% of cases and is associated with poor outcome.",
    "[[Hereditary spastic paraplegia]] comprises a genetically heterogeneous group of [[neurodegenerative disorders]].",
    "Lower limb spasticity and weakness progressed slowly over several decades.",
    "[[Obesity]] is a major risk factor for [[type 2 diabetes]] and [[obstructive sleep apnoea]].",
    "Body mass index was calculated as weight in kilograms divided by the square of height in metres.",
    "[[Congenital hypothyroidism]] is detected by newborn screening and, if treated early, does not cause [[intellectual disability]].",
    "Levothyroxine replacement was started within the first two weeks of life in all infants with [[thyroid dysgenesis]].",
    "[[Kawasaki disease]] is an acute [[vasculitis]] of childhood that may lead to [[coronary artery aneurysms]].",
    "Intravenous immunoglobulin and high-dose aspirin were given to all children within ten days of fever onset.",
    "[[Lynch syndrome]] carriers should undergo colonoscopic surveillance every one to two years.",
    "[[Tumours]] with high microsatellite instability showed loss of MLH1 protein expression.",
    "Loss of PTEN function is the cause of [[Cowden syndrome]], which confers high risks of [[breast cancer]] and [[thyroid cancer]].",
    "[[Von Willebrand disease]] is the most common [[inherited bleeding disorder]].",
    "Plasma von Willebrand factor antigen and ristocetin cofactor activity were reduced in the proband.",
    "[[Hereditary angioedema]] is caused by deficiency of C1 inhibitor.",
    "Attacks of swelling affected the face, limbs and gastrointestinal tract.",
    "[[Spinocerebellar ataxia type 3]] ([[SCA3]]), also known as [[Machado-Joseph disease]], is caused by a CAG expansion in ATXN3.",
    "Dysarthria, nystagmus and gait unsteadiness were noted on neurological examination of the [[SCA3]] patients.",
    "[[Paroxysmal nocturnal haemoglobinuria]] arises from somatic PIGA mutations in haematopoietic stem cells.",
    "Eculizumab, a monoclonal antibody against complement C5, reduced intravascular haemolysis in [[PNH]].",
    "A common variant at 8q24 was associated with [[prostate cancer]] in men of African ancestry.",
    "Serum prostate-specific antigen concentrations were measured annually in all participants.",
    "Mutations in GJB2 are the most frequent cause of [[autosomal recessive nonsyndromic deafness]].",
    "Connexin 26 forms gap junction channels between supporting cells of the cochlea.",
    "[[Gitelman syndrome]] is a [[salt-wasting tubulopathy]] caused by mutations in SLC12A3.",
    "Serum potassium and magnesium concentrations were low in all affected siblings with [[Gitelman syndrome]].",
    "[[Acute intermittent porphyria]] is caused by a partial deficiency of porphobilinogen deaminase.",
    "Attacks of [[porphyria]] were precipitated by barbiturates, fasting and alcohol.",
    "Mutations in COL7A1 cause the dystrophic forms of [[epidermolysis bullosa]].",
    "Skin blistering after minor trauma was evident from birth in all children with [[junctional epidermolysis bullosa]].",
    "[[Psoriasis]] and [[psoriatic arthritis]] share a strong association with HLA-C*06:02.",
    "TNF inhibitors improved skin and joint outcomes in the randomised cohort.",
    "The risk of [[Hodgkin lymphoma]] was increased four-fold in young adults with a history of [[infectious mononucleosis]].",
    "Epstein-Barr virus DNA was detected in the Reed-Sternberg cells of 40% of cases.",
    "[[Chagas disease]], caused by Trypanosoma cruzi, is a leading cause of [[cardiomyopathy]] in Latin America.",
    "Blood smears from all participants with suspected [[Chagas disease]] were examined for trypomastigotes.",
    "Regular transfusions in [[beta-thalassaemia major]] lead to [[iron overload]] unless chelation is given.",
    "Deferasirox reduced liver iron concentration over 12 months in children with [[thalassaemia]].",
    "[[Prion diseases]] such as [[Creutzfeldt-Jakob disease]] are [[transmissible spongiform encephalopathies]].",
    "The PRNP codon 129 genotype influences susceptibility to [[variant Creutzfeldt-Jakob disease]].",
    "[[Glycogen storage disease type II]], or [[Pompe disease]], results from deficiency of acid alpha-glucosidase.",
    "Muscle biopsy showed vacuoles containing glycogen in the [[infantile-onset Pompe disease]] cases.",
    "[[Tuberous sclerosis complex]] ([[TSC]]) is characterised by [[hamartomas]] in multiple organs, including brain, skin and kidney.",
    "Everolimus reduced seizure frequency by at least half in 40% of the treated group.",
    "The vascular type of [[Ehlers-Danlos syndrome]] is caused by mutations in COL3A1, which encodes type III procollagen.",
    "Joint hypermobility and easy bruising were reported by most participants with [[hypermobile Ehlers-Danlos syndrome]].",
    "[[Schizophrenia]] and [[bipolar disorder]] share a substantial proportion of common genetic risk variants.",
    "Genome-wide significant loci were enriched near genes expressed in neurons.",
    "[[Autism spectrum disorder]] was diagnosed in 30% of boys with [[fragile X syndrome]].",
    "Cognitive testing was performed with a standardised battery at age eight in children with [[22q11.2 deletion syndrome]].",
    "[[Juvenile idiopathic arthritis]] is the most common chronic [[rheumatic disease]] of childhood.",
    "Methotrexate was started at a weekly dose of 15 mg per square metre.",
    "[[Brugada syndrome]] is an [[inherited arrhythmia syndrome]] associated with loss-of-function SCN5A mutations and [[sudden death]].",
    "The ECG showed coved ST-segment elevation in the right precordial leads after ajmaline challenge.",
    "[[Atrial fibrillation]] increases the risk of [[stroke]] approximately five-fold.",
    "Warfarin and direct oral anticoagulants were compared for the prevention of [[thromboembolism]].",
    "[[Abetalipoproteinaemia]] results from mutations in MTTP, which encodes microsomal triglyceride transfer protein.",
    "Acanthocytes were seen on the peripheral blood film.",
    "[[Primary ciliary dyskinesia]] is associated with [[bronchiectasis]] and, in half of cases, [[situs inversus]].",
    "Nasal nitric oxide was measured as a screening test.",
    "Germline SDHB mutations are associated with [[malignant paraganglioma]].",
    "Urinary metanephrines were elevated in 12 of 15 patients with [[phaeochromocytoma]].",
    "[[Hereditary hemorrhagic telangiectasia]] ([[HHT]]) is caused by mutations in ENG or ACVRL1.",
    "Recurrent nosebleeds were the first manifestation in most affected children.",
    "[[Leber hereditary optic neuropathy]] ([[LHON]]) is caused by mitochondrial DNA point mutations.",
    "The m.11778G>A substitution was homoplasmic in blood from all maternal relatives.",
    "[[Mitochondrial diseases]] affect at least 1 in 5000 adults.",
    "[[Leigh syndrome]] is a progressive [[neurodegenerative disorder]] with onset in infancy or early childhood.",
    "Lactate concentrations in cerebrospinal fluid were raised.",
    "Germline BRCA1 mutations are enriched among women with [[triple-negative breast cancer]].",
    "Olaparib prolonged progression-free survival in carriers of germline BRCA mutations.",
    "[[Familial melanoma]] is linked to germline CDKN2A mutations, and carriers also have an increased risk of [[pancreatic cancer]].",
    "The BRAF V600E mutation was present in 52% of [[cutaneous melanomas]].",
    "Childhood sun exposure and fair skin type were the strongest non-genetic risk factors.",
    "[[Osteoarthritis]] of the knee and hip is a leading cause of disability in older adults.",
    "Joint pain and morning stiffness improved after eight weeks of exercise therapy in [[knee osteoarthritis]].",
    "Perinatal transmission of [[hepatitis B]] can be prevented by vaccination of the newborn.",
    "[[Measles]] outbreaks continue to occur in communities with low vaccination coverage.",
    "A maculopapular rash appeared on the fourth day of illness, followed by high fever.",
    "[[Lyme disease]] is transmitted by Ixodes ticks infected with Borrelia burgdorferi.",
    "[[Septic shock]] was the leading cause of death in the intensive care unit.",
    "[[Graves disease]] and [[Hashimoto thyroiditis]] are the commonest [[autoimmune thyroid diseases]].",
    "TSH receptor antibodies were measured by a third-generation assay.",
    "[[Myasthenia gravis]] is caused by autoantibodies against the acetylcholine receptor at the neuromuscular junction.",
    "Ptosis and diplopia fluctuated during the day and worsened with exertion in [[ocular myasthenia]].",
    "[[Autoimmune Addison disease]] is often accompanied by [[type 1 diabetes]] or [[autoimmune thyroiditis]].",
    "Anti-Ro antibodies are found in most patients with [[primary Sjogren syndrome]].",
    "Dryness of the eyes and mouth was assessed with validated questionnaires.",
    "The LRRK2 G2019S substitution is the most common genetic cause of [[Parkinson's disease]] in several Mediterranean populations.",
    "Resting tremor and bradykinesia were the presenting signs in most patients with [[young-onset Parkinson disease]].",
    "[[Dementia with Lewy bodies]] is the second most common form of [[degenerative dementia]] after [[Alzheimer's disease]].",
    "[[Juvenile myoclonic epilepsy]] accounts for about 10% of all [[epilepsies]].",
    "EEG showed generalised polyspike-and-wave discharges.",
    "[[Familial hemiplegic migraine]] is a rare autosomal dominant subtype of [[migraine with aura]].",
    "[[Narcolepsy with cataplexy]] is strongly associated with HLA-DQB1*06:02.",
    "Hypocretin levels in cerebrospinal fluid were undetectable in 90% of [[narcolepsy]] cases.",
    "Heterozygous BMPR2 mutations are found in about 75% of families with [[heritable pulmonary arterial hypertension]].",
    "Mean pulmonary artery pressure was measured by right heart catheterisation.",
    "[[Idiopathic pulmonary fibrosis]] has been linked to a common promoter variant in MUC5B.",
    "[[Chronic obstructive pulmonary disease]] ([[COPD]]) is mainly caused by cigarette smoking.",
    "Forced expiratory volume in one second declined faster in current smokers with [[COPD]].",
    "Loss-of-function variants in the filaggrin gene predispose to [[atopic dermatitis]] and to [[asthma]] in children with [[eczema]].",
    "Biallelic VHL inactivation occurs in most sporadic [[clear cell renal cell carcinomas]].",
    "[[Alport syndrome]] is a [[hereditary nephropathy]] caused by mutations in type IV collagen genes.",
    "Haematuria was present in all affected males from early childhood, and [[end-stage renal disease]] developed before 40 years of age in most.",
    "Hydroxyurea reduces the frequency of painful crises in [[sickle cell disease]].",
    "[[Gout]] is associated with common variants in SLC2A9 and ABCG2 that reduce urate excretion.",
    "Serum urate concentrations above 6.8 mg/dl were considered elevated.",
    "Children with [[Down syndrome]] have a 20-fold increased risk of [[acute leukaemia]].",
]

# Pass 2: {row index: (corrected markup, reason)}, after an independent review of every row.
# Span rule applied in the review: a disease name keeps every modifier attached to it except
# severity and course words ("severe", "chronic", "acute", "progressive", "recurrent") that are
# not part of a fixed name, and hedges ("apparently", "suspected"); "sporadic", "classic" and
# onset words are subtype modifiers, not severity words, so they belong to the name, as do
# prepositional modifiers of a name ("inborn error of metabolism", "dementia with Lewy bodies").
CORRECTIONS: dict[int, tuple[str, str]] = {
    33: (
        "Germline RET mutations were identified in all kindreds with [[multiple endocrine neoplasia type 2A]] and in a subset of patients with apparently [[sporadic medullary thyroid carcinoma]] .",
        'span extended to "sporadic medullary thyroid carcinoma": "sporadic" is a subtype modifier, not a severity word (only the hedge "apparently" stays out)',
    ),
    36: (
        "De novo MECP2 mutations were identified in 38 of 45 girls with [[classic Rett syndrome]] .",
        'span extended to "classic Rett syndrome": the named diagnostic form, like "variant Creutzfeldt-Jakob disease" (row 130)',
    ),
    68: (
        "[[Cystinuria]] is an [[autosomal recessive disorder of renal amino acid transport]] that leads to recurrent [[nephrolithiasis]].",
        'class span extended to include "of renal amino acid transport", the most specific class name, consistent with "inborn error of metabolism" (row 61)',
    ),
    81: (
        "[[Celiac disease]] is an [[immune-mediated enteropathy]] triggered by dietary gluten in genetically susceptible individuals.",
        'span extended to "immune-mediated enteropathy": the modifier is part of the class name, consistent with "inflammatory demyelinating disease" (row 57)',
    ),
    87: (
        "[[Alpha-1 antitrypsin deficiency]] predisposes to [[early-onset emphysema]] and to [[liver disease]] in childhood.",
        'span extended to "early-onset emphysema": onset words are kept, as in "young-onset Parkinson disease" (row 180) and "infantile-onset Pompe disease" (row 132)',
    ),
    165: (
        "[[Osteoarthritis of the knee and hip]] is a leading cause of disability in older adults.",
        'span extended to "Osteoarthritis of the knee and hip": the anatomical modifier belongs to the name (cf. "knee osteoarthritis", row 166), coordinated as one composite mention like row 55',
    ),
    193: (
        "Biallelic VHL inactivation occurs in most [[sporadic clear cell renal cell carcinomas]].",
        'span extended to "sporadic clear cell renal cell carcinomas", same rule as row 33',
    ),
}


def main() -> int:
    first = rows(FIRST_PASS, TYPES)[None]
    final = rows(apply_corrections(FIRST_PASS, CORRECTIONS, FIRST_ROW_NUMBER), TYPES)[None]
    problems = format_problems("ncbi-disease", final, ENTITY_TYPE, SEED_PATH)
    if problems:
        print("\n".join(problems))
        return 1
    write_jsonl(FIRST_PASS_PATH, first)
    write_jsonl(FINAL_PATH, final)

    entity_free = sum(1 for row in final if not mention_count(row["ner_tags"]))
    print(f"rows: {len(final)}")
    print(f"entity-free: {entity_free} ({entity_free / len(final):.1%})")
    for name, value in agreement(first, final).items():
        print(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}")
    for index, (_markup, reason) in sorted(CORRECTIONS.items()):
        print(f"row {index}: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
